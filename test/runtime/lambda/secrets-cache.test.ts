// The Secrets Manager cache over the real SDK client, pointed at the fake by
// AWS_ENDPOINT_URL_SECRETS_MANAGER (this test file runs in its own process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSecretString } from '../../../src/runtime/lambda/aws-clients.ts'
import { createSecretsCache, SecretsUnavailableError } from '../../../src/runtime/lambda/secrets-cache.ts'
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/aws/fake-secrets-manager.ts'

let fake: FakeSecretsManager
beforeAll(async () => {
  fake = await startFakeSecretsManager({ 'manifest-hook': '{"ghcrToken":"ghp_one"}', other: 'plain' })
  Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake' })
})
afterAll(() => fake.stop())

describe('secrets cache', () => {
  it('fetches each secret once per TTL and picks up a rotation after it', async () => {
    let at = 0
    const cache = createSecretsCache({ fetchSecret: getSecretString, ttlMs: 60_000, now: () => at })
    const first = await cache.get(['manifest-hook', 'other'])
    expect([...first]).toEqual([['manifest-hook', '{"ghcrToken":"ghp_one"}'], ['other', 'plain']])
    fake.put('manifest-hook', '{"ghcrToken":"ghp_two"}')
    at = 59_999
    expect(await cache.get(['manifest-hook', 'other'])).toBe(first)
    expect([...fake.requests].sort()).toEqual(['manifest-hook', 'other'])
    at = 60_000
    const [again, concurrent] = await Promise.all([cache.get(['manifest-hook', 'other']), cache.get(['manifest-hook', 'other'])])
    expect(again).toBe(concurrent)
    expect(again.get('manifest-hook')).toBe('{"ghcrToken":"ghp_two"}')
    expect(fake.requests).toHaveLength(4)
  })

  it('fails with SecretsUnavailableError naming the secret and the AWS error, never a value', async () => {
    let at = 0
    const cache = createSecretsCache({ fetchSecret: getSecretString, ttlMs: 1000, now: () => at })
    await expect(cache.get(['missing'])).rejects.toThrow(new SecretsUnavailableError('Secrets Manager: GetSecretValue of "missing" failed (ResourceNotFoundException)'))
    expect(await cache.get(['other'])).toEqual(new Map([['other', 'plain']]))
    fake.setFailing(true)
    at = 1000
    const error = await cache.get(['other']).catch((caught: unknown) => caught)
    fake.setFailing(false)
    expect(error).toBeInstanceOf(SecretsUnavailableError)
    expect((error as SecretsUnavailableError).message).toBe('Secrets Manager: GetSecretValue of "other" failed (InternalServiceError)')
    expect(JSON.stringify(error)).not.toContain('plain')
    expect(await cache.get(['other'])).toEqual(new Map([['other', 'plain']]))
  })
})
