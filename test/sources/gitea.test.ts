import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { giteaSource, type GiteaOptions } from '../../src/sources/gitea.ts'
import { rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError, isoAt } from './helpers/provider-harness.ts'
import { bytesOf, hmacSha256 } from './helpers/signing.ts'

const HOST = 'gitea.test'
const options: GiteaOptions = { secrets: [new Secret('old-gitea-secret'), new Secret('gitea-secret')], maxAgeSeconds: 3600 }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('gitea', name)[0]!
// rawDelivery() stamps receivedAt 2026-11-27T19:00:00Z.
const RECEIVED = '2026-11-27T19:00:00.000Z'
const ago = (seconds: number) => new Date(Date.parse(RECEIVED) - seconds * 1000).toISOString()

/** A package body from `name` with overrides of `package` fields. */
function packageBody(name: string, overrides: Record<string, unknown> = {}, action?: string): string {
  const body = structuredClone(fixture(name).body) as any
  Object.assign(body.package, { created_at: ago(60), ...overrides })
  return JSON.stringify(action ? { ...body, action } : body)
}

/** Headers of a signed delivery, as Gitea sends them. */
async function signed(body: string, secret = 'gitea-secret', event = 'package'): Promise<Record<string, string>> {
  return { 'content-type': 'application/json', 'x-gitea-event': event, 'x-gitea-delivery': 'delivery-1', 'x-gitea-signature': await hmacSha256(secret, bytesOf(body)) }
}
const parseBody = async (body: string, opts = options, ctx = context) => giteaSource.parse(rawDelivery(body, await signed(body)), opts, ctx)

describe('gitea source: verify', () => {
  it('accepts X-Gitea-Signature, X-Forgejo-Signature or X-Hub-Signature-256 under any configured secret', async () => {
    const body = packageBody('package-created.json')
    const hex = await hmacSha256('old-gitea-secret', bytesOf(body))
    const headers: Record<string, string>[] = [{ 'x-gitea-signature': hex }, { 'x-forgejo-signature': hex }, { 'x-hub-signature-256': `sha256=${hex}` }]
    for (const header of headers) {
      await expect(giteaSource.verify(rawDelivery(body, header), options)).resolves.toBeUndefined()
    }
  })

  it('refuses a wrong secret, a changed body and a missing signature', async () => {
    const body = packageBody('package-created.json')
    await expect(giteaSource.verify(rawDelivery(body, await signed(body, 'guess')), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(giteaSource.verify(rawDelivery(body.replace('app-amd64', 'app-arm64'), await signed(body)), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(giteaSource.verify(rawDelivery(body, { 'content-type': 'application/json' }), options)).rejects.toThrow(/missing/)
  })
})

describe('gitea source: parse', () => {
  it('turns a created container version into a push on the html_url host, owner lower-cased', async () => {
    expect(await parseBody(packageBody('package-created.json'))).toEqual([{ kind: 'push', registry: HOST, repository: 'acme/app-amd64', tag: 'v1.0.2', occurredAt: '2026-11-27T18:59:00.000000000Z', id: 'delivery-1' }])
  })

  it('ignores digest versions, deletions, other package types and other events', async () => {
    expect(await parseBody(packageBody('package-created-digest.json'))).toEqual([expect.objectContaining({ reason: 'push by digest (no tag)' })])
    expect(await parseBody(packageBody('package-deleted.json'))).toEqual([expect.objectContaining({ reason: 'action "deleted"' })])
    expect(await parseBody(packageBody('package-created-npm.json'))).toEqual([expect.objectContaining({ reason: 'package type "npm"' })])
    const push = '{"ref":"refs/heads/main"}'
    expect(giteaSource.parse(rawDelivery(push, await signed(push, 'gitea-secret', 'push')), options, context)).toEqual([expect.objectContaining({ reason: 'event "push"' })])
  })

  it('refuses a replay outside the window over the signed created_at (401), in either direction', async () => {
    await expect(parseBody(packageBody('package-created.json', { created_at: ago(3601) }))).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(parseBody(packageBody('package-created.json', { created_at: ago(-301) }))).rejects.toBeInstanceOf(UnauthorizedError)
    expect(await parseBody(packageBody('package-created.json', { created_at: ago(3599) }), { ...options, maxAgeSeconds: 3600 })).toHaveLength(1)
    expect(await parseBody(packageBody('package-created.json', { created_at: ago(86400) }), { ...options, maxAgeSeconds: 0 })).toHaveLength(1)
  })

  it('uses a pinned registry, never an html_url host that is not configured', async () => {
    expect((await parseBody(packageBody('package-created.json'), options, { registries: ['git.example'] }))[0]).toMatchObject({ reason: 'registry host is not configured' })
    expect((await parseBody(packageBody('package-created.json'), { ...options, registry: 'git.example' }, { registries: ['git.example'] }))[0]).toMatchObject({ kind: 'push', registry: 'git.example' })
  })

  it('refuses a wrong content type (415), no event header and malformed bodies (400)', async () => {
    const body = packageBody('package-created.json')
    expect(() => giteaSource.parse(rawDelivery(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-gitea-event': 'package' }), options, context)).toThrow(UnsupportedMediaTypeError)
    expect(() => giteaSource.parse(rawDelivery(body, { 'content-type': 'application/json' }), options, context)).toThrow(InvalidPayloadError)
    await expect(parseBody(packageBody('package-created.json', { created_at: 'yesterday' }))).rejects.toBeInstanceOf(InvalidPayloadError)
    await expect(parseBody('{"action":"created","package":{"type":"container"}}')).rejects.toBeInstanceOf(InvalidPayloadError)
  })
})

describe('gitea through the app (fake gitea.test)', () => {
  const harness = () => createProviderHarness({ host: HOST, sources: { gitea: { secret: ['old-gitea-secret', 'gitea-secret'] } }, from: 'acme/app-{arch}:{version}', target: 'acme/app' })
  const body = (name: string, version: string, at = isoAt(-30)) => packageBody('package-created.json', { name, version, created_at: at, html_url: `https://${HOST}/Acme/-/packages/container/${name}/${version}` })

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      await h.seed(`acme/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      const sent = body(`app-${arch}`, 'v1.0.2')
      expect((await h.post('/webhooks/gitea', sent, await signed(sent))).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 404 for an unknown image (Gitea does not retry) and touches nothing', async () => {
    const h = harness()
    const sent = body('unrelated', 'v1')
    await expectError(await h.post('/webhooks/gitea', sent, await signed(sent)), 404, 'NOT_FOUND')
    await h.expectUntouched()
  })

  it('refuses a replay, a bad signature and a wrong content type with a JSON error; touches nothing', async () => {
    const h = harness()
    const stale = body('app-amd64', 'v1.0.2', isoAt(-7200))
    await expectError(await h.post('/webhooks/gitea', stale, await signed(stale)), 401, 'UNAUTHORIZED')
    const sent = body('app-amd64', 'v1.0.2')
    await expectError(await h.post('/webhooks/gitea', sent, await signed(sent, 'wrong')), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/gitea', sent, { ...(await signed(sent)), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    await h.expectUntouched()
  })
})
