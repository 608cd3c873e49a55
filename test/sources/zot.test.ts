import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { zotSource } from '../../src/sources/zot.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'

const HOST = 'zot.test:5000'
const options = { username: 'zot-events', passwords: [new Secret('old-zot-password'), new Secret('zot-password')], registry: HOST }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('zot', name)[0]!
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`
const auth = { authorization: basic('zot-events', 'zot-password') }
const D1 = `sha256:${'1'.repeat(64)}`

describe('zot source: verify (Basic credentials of the sink)', () => {
  it('accepts the user with any configured password', async () => {
    for (const password of ['zot-password', 'old-zot-password']) {
      await expect(zotSource.verify(deliveryOf(fixture('image-updated.json'), { authorization: basic('zot-events', password) }), options)).resolves.toBeUndefined()
    }
  })

  it.each([
    ['a wrong password', basic('zot-events', 'nope')],
    ['a wrong user', basic('admin', 'zot-password')],
    ['no colon', `Basic ${btoa('zot-events')}`],
    ['bad base64', 'Basic !!!'],
    ['a Bearer token', 'Bearer zot-password'],
  ])('refuses %s', async (_, authorization) => {
    await expect(zotSource.verify(deliveryOf(fixture('image-updated.json'), { authorization }), options)).rejects.toBeInstanceOf(UnauthorizedError)
  })

  it('refuses a missing header', async () => {
    await expect(zotSource.verify(deliveryOf(fixture('image-updated.json')), options)).rejects.toThrow(/missing/)
  })
})

describe('zot source: verify (Bearer token of a sink with only credentials.token)', () => {
  // The documented sink config (zotregistry.dev articles/events) with only `token` set: Zot then
  // sends `Authorization: Bearer <token>` (pkg/extensions/events/http_sink.go NewHTTPSink).
  const tokenOnly = { passwords: [], tokens: [new Secret('old-bearer-token'), new Secret('optional-bearer-token')], registry: HOST }
  const verify = (authorization?: string, opts: typeof options | typeof tokenOnly = tokenOnly) =>
    zotSource.verify(deliveryOf(fixture('image-updated.json'), authorization ? { authorization } : {}), opts)

  it('accepts any configured token', async () => {
    await expect(verify('Bearer optional-bearer-token')).resolves.toBeUndefined()
    await expect(verify('Bearer old-bearer-token')).resolves.toBeUndefined()
  })

  it.each([
    ['a wrong token', 'Bearer nope'],
    ['Basic credentials', basic('zot-events', 'optional-bearer-token')],
    ['the bare token', 'optional-bearer-token'],
  ])('refuses %s', async (_, authorization) => {
    await expect(verify(authorization)).rejects.toThrow(/^Bearer token does not match$|^Bearer token is missing$/)
  })

  it('refuses a missing header', async () => {
    await expect(verify()).rejects.toThrow('Bearer token is missing')
  })

  it('with both configured, takes Basic or Bearer', async () => {
    const both = { ...options, tokens: tokenOnly.tokens }
    await expect(verify(basic('zot-events', 'zot-password'), both)).resolves.toBeUndefined()
    await expect(verify('Bearer optional-bearer-token', both)).resolves.toBeUndefined()
    await expect(verify('Bearer zot-password', both)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})

describe('zot source: parse', () => {
  const parse = (name: string, headers = {}) => zotSource.parse(deliveryOf(fixture(name), headers), options, context)

  it('reads a binary-mode image.updated event onto the configured registry', () => {
    expect(parse('image-updated.json')).toEqual([
      { kind: 'push', registry: HOST, repository: 'demo/app-amd64', tag: 'v1.0.2', digest: D1, mediaType: 'application/vnd.oci.image.manifest.v1+json', occurredAt: '2026-11-27T11:59:00.500000000Z', id: '00000000-0000-4000-8000-0000000000f1' },
    ])
  })

  it('reads the same event in structured mode', () => {
    const captured = fixture('image-updated.json')
    const event = { specversion: '1.0', id: 'e-1', source: 'zotregistry.dev', type: 'zotregistry.image.updated', datacontenttype: 'application/json', data: captured.body }
    const events = zotSource.parse(rawDelivery(JSON.stringify(event), { 'content-type': 'application/cloudevents+json' }), options, context)
    expect(events[0]).toMatchObject({ kind: 'push', tag: 'v1.0.2', id: 'e-1' })
  })

  it('ignores digest references, deletions and repository creation', () => {
    expect(parse('image-updated-digest.json')).toEqual([expect.objectContaining({ reason: 'push by digest (no tag)' })])
    expect(parse('image-deleted.json')).toEqual([expect.objectContaining({ reason: 'event type "zotregistry.image.deleted"' })])
    expect(parse('repository-created.json')).toEqual([expect.objectContaining({ reason: 'event type "zotregistry.repository.created"' })])
  })

  it('refuses a wrong content type (415), incomplete ce-* headers and malformed data (400)', () => {
    expect(() => parse('image-updated.json', { 'content-type': 'text/plain' })).toThrow(UnsupportedMediaTypeError)
    expect(() => parse('image-updated.json', { 'ce-specversion': '0.3' })).toThrow(InvalidPayloadError)
    const noType = new Headers(fixture('image-updated.json').headers)
    noType.delete('ce-type')
    expect(() => zotSource.parse({ ...deliveryOf(fixture('image-updated.json')), headers: noType }, options, context)).toThrow(InvalidPayloadError)
    expect(() => zotSource.parse(rawDelivery('{"name":1}', { ...fixture('image-updated.json').headers }), options, context)).toThrow(InvalidPayloadError)
  })
})

describe('zot through the app (fake zot.test:5000)', () => {
  const harness = () => createProviderHarness({ host: HOST, sources: { zot: { username: 'zot-events', password: ['old-zot-password', 'zot-password'], registry: HOST } }, from: 'demo/app-{arch}:{version}', target: 'demo/app' })
  const headers = { ...fixture('image-updated.json').headers, ...auth }
  const body = (name: string, reference: string, digest = D1) => JSON.stringify({ ...(fixture('image-updated.json').body as object), name, reference, digest })

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`demo/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await h.post('/webhooks/zot', body(`demo/app-${arch}`, digest, digest), headers)).status).toBe(202)
      expect((await h.post('/webhooks/zot', body(`demo/app-${arch}`, 'v1.0.2', digest), headers)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 2xx for unknown repositories (a registry-wide sink) and touches nothing', async () => {
    const h = harness()
    expect((await h.post('/webhooks/zot', body('other/repo', 'v1'), headers)).status).toBe(202)
    await h.expectUntouched()
  })

  it('takes a sink configured with only a token (Bearer)', async () => {
    const h = createProviderHarness({ host: HOST, sources: { zot: { token: 'optional-bearer-token', registry: HOST } }, from: 'demo/app-{arch}:{version}', target: 'demo/app' })
    const bearer = { ...fixture('image-updated.json').headers, authorization: 'Bearer optional-bearer-token' }
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`demo/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await h.post('/webhooks/zot', body(`demo/app-${arch}`, 'v1.0.2', digest), bearer)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
    await expectError(await h.post('/webhooks/zot', body('demo/app-amd64', 'v1.0.2'), headers), 401, 'UNAUTHORIZED')
  })

  it('refuses bad credentials and content types with a JSON error; touches nothing', async () => {
    const h = harness()
    await expectError(await h.post('/webhooks/zot', body('demo/app-amd64', 'v1.0.2'), { ...headers, authorization: basic('zot-events', 'x') }), 401, 'UNAUTHORIZED')
    const { authorization: _, ...anonymous } = headers
    await expectError(await h.post('/webhooks/zot', body('demo/app-amd64', 'v1.0.2'), anonymous), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/zot', body('demo/app-amd64', 'v1.0.2'), { ...headers, 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    await h.expectUntouched()
  })
})
