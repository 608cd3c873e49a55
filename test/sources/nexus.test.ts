import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { nexusSource, type NexusOptions } from '../../src/sources/nexus.ts'
import { rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError, isoAt } from './helpers/provider-harness.ts'
import { bytesOf, hmacSha1 } from './helpers/signing.ts'

const HOST = 'nexus.test:8082'
const options: NexusOptions = { secrets: [new Secret('old-nexus-secret'), new Secret('nexus-secret')], repositories: { 'docker-hosted': HOST }, maxAgeSeconds: 3600 }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('nexus', name)[0]!
// rawDelivery() stamps receivedAt 2026-11-27T19:00:00Z; Nexus writes offsets as +0000.
const nexusTime = (secondsAgo: number, now = Date.parse('2026-11-27T19:00:00.000Z')) => new Date(now - secondsAgo * 1000).toISOString().replace('Z', '+0000')

/** A component body from `name`, compact or pretty-printed as Nexus may send it. */
function componentBody(name: string, overrides: Record<string, unknown> = {}, timestamp = nexusTime(60), pretty = false): string {
  const body = structuredClone(fixture(name).body) as any
  Object.assign(body.component, overrides)
  body.timestamp = timestamp
  return pretty ? JSON.stringify(body, null, 2).replace(/": /g, '" : ') : JSON.stringify(body)
}

/** Headers as Nexus sends them, signed over the whitespace-free JSON. */
async function signed(body: string, secret = 'nexus-secret', webhook = 'rm:repository:component'): Promise<Record<string, string>> {
  const compact = JSON.stringify(JSON.parse(body))
  return { ...fixture('component-created.json').headers, 'x-nexus-webhook-id': webhook, 'x-nexus-webhook-signature': await hmacSha1(secret, bytesOf(compact)) }
}
const parseBody = async (body: string, opts = options) => nexusSource.parse(rawDelivery(body, await signed(body)), opts, context)

describe('nexus source: verify', () => {
  it('accepts the HMAC-SHA1 of the body under any configured secret', async () => {
    const body = componentBody('component-created.json')
    for (const secret of ['nexus-secret', 'old-nexus-secret']) {
      await expect(nexusSource.verify(rawDelivery(body, await signed(body, secret)), options)).resolves.toBeUndefined()
    }
  })

  it('accepts a pretty-printed body signed over its whitespace-free form (Nexus hashes JSON without whitespace)', async () => {
    const body = componentBody('component-created.json', { name: 'demo/with space' }, nexusTime(60), true)
    expect(body).toContain('" : ')
    await expect(nexusSource.verify(rawDelivery(body, await signed(body)), options)).resolves.toBeUndefined()
  })

  it('refuses a wrong secret, a changed string value and a missing signature', async () => {
    const body = componentBody('component-created.json', { name: 'demo/with space' })
    await expect(nexusSource.verify(rawDelivery(body, await signed(body, 'guess')), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(nexusSource.verify(rawDelivery(body.replace('with space', 'withspace'), await signed(body)), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(nexusSource.verify(rawDelivery(body, fixture('component-created.json').headers), options)).rejects.toThrow(/missing/)
  })
})

describe('nexus source: parse', () => {
  it('maps a docker component of a mapped repository to a push', async () => {
    expect(await parseBody(componentBody('component-created.json'))).toEqual([
      { kind: 'push', registry: HOST, repository: 'demo/app-amd64', tag: 'v1.0.2', occurredAt: '2026-11-27T18:59:00.000000000Z', id: '00000000-0000-4000-8000-000000000101' },
    ])
    expect((await parseBody(componentBody('component-updated.json')))[0]).toMatchObject({ kind: 'push' })
  })

  it('ignores deletions, asset webhooks, other formats and unmapped repositories', async () => {
    expect(await parseBody(componentBody('component-deleted.json'))).toEqual([expect.objectContaining({ reason: 'action "DELETED"' })])
    expect(await parseBody(componentBody('component-created.json', { format: 'maven2' }))).toEqual([expect.objectContaining({ reason: 'format "maven2"' })])
    const asset = JSON.stringify(fixture('asset-created.json').body)
    expect(nexusSource.parse(rawDelivery(asset, await signed(asset, 'nexus-secret', 'rm:repository:asset')), options, context)).toEqual([expect.objectContaining({ reason: 'webhook "rm:repository:asset"' })])
    expect(await parseBody(componentBody('component-created.json'), { ...options, repositories: { other: HOST } })).toEqual([expect.objectContaining({ reason: 'Nexus repository "docker-hosted" is not mapped to a registry' })])
  })

  it('refuses a replay outside the window over the signed timestamp (401)', async () => {
    await expect(parseBody(componentBody('component-created.json', {}, nexusTime(3601)))).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(parseBody(componentBody('component-created.json', {}, nexusTime(-400)))).rejects.toBeInstanceOf(UnauthorizedError)
    expect(await parseBody(componentBody('component-created.json', {}, nexusTime(3601)), { ...options, maxAgeSeconds: 0 })).toHaveLength(1)
  })

  it('refuses a wrong content type (415) and malformed bodies (400)', async () => {
    const body = componentBody('component-created.json')
    expect(() => nexusSource.parse(rawDelivery(body, { 'content-type': 'text/plain', 'x-nexus-webhook-id': 'rm:repository:component' }), options, context)).toThrow(UnsupportedMediaTypeError)
    await expect(parseBody(componentBody('component-created.json', { version: 7 }))).rejects.toBeInstanceOf(InvalidPayloadError)
    await expect(parseBody('{"timestamp":"2026-11-27T18:59:00Z"}')).rejects.toBeInstanceOf(InvalidPayloadError)
  })
})

describe('nexus through the app (fake nexus.test:8082)', () => {
  const sources = { nexus: { secret: ['old-nexus-secret', 'nexus-secret'], repositories: { 'docker-hosted': HOST } } }
  const harness = () => createProviderHarness({ host: HOST, sources, from: 'demo/app-{arch}:{version}', target: 'demo/app' })
  const body = (name: string, version: string, at = isoAt(-30)) => componentBody('component-created.json', { name, version }, at.replace('Z', '+0000'), true)

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      await h.seed(`demo/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      const sent = body(`demo/app-${arch}`, 'v1.0.2')
      expect((await h.post('/webhooks/nexus', sent, await signed(sent))).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 2xx for an unknown image and touches nothing', async () => {
    const h = harness()
    const sent = body('other/app', 'v1')
    expect((await h.post('/webhooks/nexus', sent, await signed(sent))).status).toBe(202)
    await h.expectUntouched()
  })

  it('refuses a replay, a bad signature and a wrong content type with a JSON error; touches nothing', async () => {
    const h = harness()
    const stale = body('demo/app-amd64', 'v1.0.2', isoAt(-7200))
    await expectError(await h.post('/webhooks/nexus', stale, await signed(stale)), 401, 'UNAUTHORIZED')
    const sent = body('demo/app-amd64', 'v1.0.2')
    await expectError(await h.post('/webhooks/nexus', sent, await signed(sent, 'wrong')), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/nexus', sent, { ...(await signed(sent)), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    await h.expectUntouched()
  })
})
