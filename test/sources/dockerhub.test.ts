import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { dockerHubSource } from '../../src/sources/dockerhub.ts'
import { rawDelivery } from '../support/fixtures.ts'

// Shape per https://docs.docker.com/docker-hub/repos/manage/webhooks/ (placeholder values).
const payload = {
  callback_url: 'https://registry.hub.docker.com/u/org/app-arm64/hook/abc/',
  push_data: { pushed_at: 1764270000, pusher: 'ci-bot', tag: 'v1.0.2', images: [] },
  repository: { repo_name: 'org/app-arm64', namespace: 'org', name: 'app-arm64', is_private: false, status: 'Active' },
}
const options = { secrets: [new Secret('hub-secret-1'), new Secret('hub-secret-2')] }
const json = { 'content-type': 'application/json' }
const delivery = (body: unknown, secret = 'hub-secret-2', headers: Record<string, string> = json) =>
  rawDelivery(typeof body === 'string' ? body : JSON.stringify(body), headers, { secret })

describe('docker hub source', () => {
  it('verifies the secret in the URL path against every configured secret', async () => {
    await expect(dockerHubSource.verify(delivery(payload), options)).resolves.toBeUndefined()
    await expect(dockerHubSource.verify(delivery(payload, 'hub-secret-1'), options)).resolves.toBeUndefined()
    await expect(dockerHubSource.verify(delivery(payload, 'wrong'), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(dockerHubSource.verify(rawDelivery('{}', json), options)).rejects.toBeInstanceOf(UnauthorizedError)
  })

  it('normalises to docker.io with the tag and no digest', () => {
    expect(dockerHubSource.parse(delivery(payload), options, { registries: [] })).toEqual([
      { kind: 'push', registry: 'docker.io', repository: 'org/app-arm64', tag: 'v1.0.2', occurredAt: '2025-11-27T19:00:00.000000000Z' },
    ])
  })

  it('maps official images to library/', () => {
    const official = { ...payload, repository: { repo_name: 'nginx' } }
    expect(dockerHubSource.parse(delivery(official), options, { registries: [] })[0]).toMatchObject({ repository: 'library/nginx' })
  })

  it('rejects malformed bodies and wrong content types', () => {
    expect(() => dockerHubSource.parse(delivery('not json'), options, { registries: [] })).toThrow(InvalidPayloadError)
    expect(() => dockerHubSource.parse(delivery({ push_data: {} }), options, { registries: [] })).toThrow(InvalidPayloadError)
    expect(() => dockerHubSource.parse(delivery(payload, 'x', { 'content-type': 'text/html' }), options, { registries: [] })).toThrow(UnsupportedMediaTypeError)
  })
})
