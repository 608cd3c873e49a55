// The built Lambda bundle behind the Function URL emulator with its webhook token in the fake
// Secrets Manager: 503 while Secrets Manager fails (logged by secret id, never by value), the
// rotated token taking over once the cache's TTL has passed, without a new environment. The config
// names the secret as the CDK stack's configs do: by key only, the id from MANIFEST_HOOK_SECRET_ID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeSecretsManager, type FakeSecretsManager } from '../../support/aws/fake-secrets-manager.ts'
import { buildLambdaBundle, startLambdaStack, type LambdaStack } from '../../support/aws/lambda-stack.ts'

const CONFIG = { sources: { distribution: { token: { secretsManager: { key: 'webhookToken' } } } }, images: [] }
const BODY = '{"events":[]}'
const post = (stack: LambdaStack, token: string) =>
  fetch(`${stack.url}/webhooks/distribution`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' }, body: BODY })

describe('Lambda: secrets from Secrets Manager', () => {
  let bundle: { path: string; remove(): void }
  let secrets: FakeSecretsManager
  let stack: LambdaStack

  beforeAll(async () => {
    bundle = await buildLambdaBundle()
    secrets = await startFakeSecretsManager({ 'manifest-hook': JSON.stringify({ webhookToken: 'first-token-value' }) })
    stack = await startLambdaStack({ bundle: bundle.path, config: CONFIG, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url, MANIFEST_HOOK_SECRET_ID: 'manifest-hook', MANIFEST_HOOK_SECRET_TTL_SECONDS: '1' } })
  })
  afterAll(async () => {
    await stack?.stop()
    await secrets?.stop()
    bundle?.remove()
  })

  it('answers 503 while Secrets Manager fails, then accepts the token, then only the rotated one', async () => {
    secrets.setFailing(true)
    const refused = await post(stack, 'first-token-value')
    expect(refused.status).toBe(503)
    expect(await refused.json()).toEqual({ error: { code: 'SECRETS_UNAVAILABLE', message: 'Secrets Manager: GetSecretValue of "manifest-hook" failed (InternalServiceError)' } })
    secrets.setFailing(false)
    expect((await post(stack, 'first-token-value')).status).toBe(202)
    secrets.put('manifest-hook', JSON.stringify({ webhookToken: 'second-token-value' }))
    expect((await post(stack, 'second-token-value')).status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect((await post(stack, 'second-token-value')).status).toBe(202)
    expect((await post(stack, 'first-token-value')).status).toBe(401)
    expect(stack.memory().environments).toBe(1)
    const errors = stack.logs.filter((line) => line.includes('"level":"error"'))
    expect(errors).toHaveLength(1)
    expect(JSON.parse(errors[0] as string)).toMatchObject({ msg: 'request refused: the function is not ready', status: 503, error: 'Secrets Manager: GetSecretValue of "manifest-hook" failed (InternalServiceError)' })
    expect(stack.logs.join('\n')).not.toMatch(/first-token-value|second-token-value/)
  }, 30_000)
})
