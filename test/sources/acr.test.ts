import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { acrSource } from '../../src/sources/acr.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'

const HOST = 'acmeregistry.azurecr.io'
const options = { header: 'x-hook-token', secrets: [new Secret('old-acr-token'), new Secret('acr-token')] }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('acr', name)[0]!
const parse = (name: string, headers = {}) => acrSource.parse(deliveryOf(fixture(name), headers), options, context)
const D1 = `sha256:${'1'.repeat(64)}`

/** A push event for `repository:tag` (from the fixture). */
function pushBody(repository: string, tag: string, digest = D1): string {
  const body = structuredClone(fixture('push.json').body) as any
  Object.assign(body.target, { repository, tag, digest })
  return JSON.stringify(body)
}

describe('acr source: verify', () => {
  it('accepts the configured custom header with any configured secret', async () => {
    for (const value of ['acr-token', 'old-acr-token', 'Bearer acr-token']) {
      await expect(acrSource.verify(deliveryOf(fixture('push.json'), { 'x-hook-token': value }), options)).resolves.toBeUndefined()
    }
  })

  it('refuses a wrong value, a missing header and the secret in another header', async () => {
    await expect(acrSource.verify(deliveryOf(fixture('push.json'), { 'x-hook-token': 'acr-toke' }), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(acrSource.verify(deliveryOf(fixture('push.json')), options)).rejects.toThrow(/missing/)
    await expect(acrSource.verify(deliveryOf(fixture('push.json'), { authorization: 'acr-token' }), options)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})

describe('acr source: parse', () => {
  it('turns a push into a push event on request.host', () => {
    expect(parse('push.json')).toEqual([
      { kind: 'push', registry: HOST, repository: 'app-amd64', tag: 'v1.0.2', digest: D1, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', occurredAt: '2026-11-27T11:59:00.123456789Z', id: '00000000-0000-4000-8000-0000000000c1' },
    ])
  })

  it('answers ping, delete and pushes by digest with ignored events', () => {
    expect(parse('ping.json')).toEqual([{ kind: 'ignored', reason: 'action "ping"', id: '00000000-0000-4000-8000-0000000000c5' }])
    expect(parse('delete.json')).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'action "delete"' })])
    expect(parse('push-by-digest.json')).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'push by digest (no tag)' })])
  })

  it('never takes a request.host that is not configured', () => {
    expect(acrSource.parse(deliveryOf(fixture('push.json')), options, { registries: ['other.azurecr.io'] })[0]).toMatchObject({ reason: 'registry host is not configured' })
  })

  it('refuses a wrong content type (415) and malformed bodies (400)', () => {
    expect(() => parse('push.json', { 'content-type': 'application/vnd.acr+json' })).toThrow(UnsupportedMediaTypeError)
    expect(() => acrSource.parse(rawDelivery('{"events":[]}', { 'content-type': 'application/json' }), options, context)).toThrow(InvalidPayloadError)
    expect(() => acrSource.parse(rawDelivery('{"action":"push","target":[]}', { 'content-type': 'application/json' }), options, context)).toThrow(InvalidPayloadError)
  })
})

describe('acr through the app (fake *.azurecr.io)', () => {
  const sources = { acr: { header: 'X-Hook-Token', secret: ['old-acr-token', 'acr-token'] } }
  const harness = () => createProviderHarness({ host: HOST, sources, from: 'app-{arch}:{version}', target: 'app' })
  const headers = { 'content-type': 'application/json', 'x-hook-token': 'acr-token' }

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await h.post('/webhooks/acr', pushBody(`app-${arch}`, 'v1.0.2', digest), headers)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers ping and unknown repositories with 2xx and touches nothing', async () => {
    const h = harness()
    expect((await h.post('/webhooks/acr', JSON.stringify(fixture('ping.json').body), headers)).status).toBe(202)
    expect((await h.post('/webhooks/acr', pushBody('unrelated', 'v1'), headers)).status).toBe(202)
    await h.expectUntouched()
  })

  it.each([
    ['a wrong token', { ...headers, 'x-hook-token': 'nope' }, 401, 'UNAUTHORIZED'],
    ['a missing header', { 'content-type': 'application/json' }, 401, 'UNAUTHORIZED'],
    ['a wrong content type', { ...headers, 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with a JSON error and touches nothing', async (_, sent, status, code) => {
    const h = harness()
    await expectError(await h.post('/webhooks/acr', pushBody('app-amd64', 'v1.0.2'), sent), status, code)
    await h.expectUntouched()
  })
})
