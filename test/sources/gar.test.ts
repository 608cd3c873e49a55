import { beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { garSource, type GarOptions } from '../../src/sources/gar.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError, NOW } from './helpers/provider-harness.ts'
import { base64Url, bytesOf, createTestSigner, type TestSigner } from './helpers/signing.ts'

const HOST = 'europe-docker.pkg.dev'
const BASE = `${HOST}/my-project/containers`
const AUDIENCE = 'https://hooks.example.com/webhooks/gar'
const ACCOUNT = 'pubsub-push@my-project.iam.gserviceaccount.com'
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('gar', name)[0]!
const D1 = `sha256:${'1'.repeat(64)}`
// deliveryOf() stamps receivedAt 2026-11-27T19:00:00Z; the app harness runs at NOW.
const DELIVERY_NOW = Date.parse('2026-11-27T19:00:00.000Z') / 1000

let google: TestSigner
let rotated: TestSigner
let stranger: TestSigner
let options: GarOptions

beforeAll(async () => {
  ;[google, rotated, stranger] = await Promise.all([createTestSigner('google-key-1'), createTestSigner('google-key-2'), createTestSigner('google-key-1')])
  options = { audiences: [AUDIENCE], jwks: [google.jwk, rotated.jwk], serviceAccount: ACCOUNT, clockSkewSeconds: 60 }
})

/** Claims as Pub/Sub's push auth issues them, at `now` (seconds). */
function claims(now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: 'https://accounts.google.com', aud: AUDIENCE, azp: '1000', email: ACCOUNT, email_verified: true, iat: now - 10, exp: now + 3590, sub: '1000', ...extra }
}

/** A push body whose base64 `message.data` carries `data`. */
function pushBody(data: Record<string, unknown>, messageId = '9000000001'): string {
  const encoded = btoa(JSON.stringify(data))
  return JSON.stringify({ message: { attributes: {}, data: encoded, messageId, message_id: messageId, publishTime: '2026-11-27T11:59:00Z' }, subscription: 'projects/my-project/subscriptions/hook' })
}

const verifyWith = async (token: string) => garSource.verify(deliveryOf(fixture('insert-tagged.json'), { authorization: `Bearer ${token}` }), options)

describe('gar source: verify (Pub/Sub OIDC token)', () => {
  it('accepts a token signed by any key of the configured JWKS (rotation), issuer in either form', async () => {
    await expect(verifyWith(await google.sign(claims(DELIVERY_NOW)))).resolves.toBeUndefined()
    await expect(verifyWith(await rotated.sign(claims(DELIVERY_NOW, { iss: 'accounts.google.com' })))).resolves.toBeUndefined()
  })

  it.each([
    ['a wrong audience', { aud: 'https://elsewhere.example' }, /audience/],
    ['a wrong issuer', { iss: 'https://evil.example' }, /issuer/],
    ['an expired token', { iat: DELIVERY_NOW - 4000, exp: DELIVERY_NOW - 61 }, /expired/],
    ['a token from the future', { iat: DELIVERY_NOW + 120 }, /not valid yet/],
    ['another service account', { email: 'someone@example.com' }, /service account/],
    ['an unverified email', { email_verified: false }, /service account/],
  ])('refuses %s', async (_, extra, message) => {
    await expect(verifyWith(await google.sign(claims(DELIVERY_NOW, extra)))).rejects.toThrow(message)
  })

  it('accepts a just-expired token within the clock skew', async () => {
    await expect(verifyWith(await google.sign(claims(DELIVERY_NOW, { exp: DELIVERY_NOW - 30 })))).resolves.toBeUndefined()
  })

  it('refuses forged, tampered and malformed tokens', async () => {
    const good = await google.sign(claims(DELIVERY_NOW))
    const [head, , signature] = good.split('.')
    const tampered = `${head}.${base64Url(bytesOf(claims(DELIVERY_NOW, { aud: AUDIENCE, email: 'x@y' })))}.${signature}`
    const none = `${base64Url(bytesOf({ alg: 'none', kid: 'google-key-1' }))}.${base64Url(bytesOf(claims(DELIVERY_NOW)))}.`
    for (const token of [await stranger.sign(claims(DELIVERY_NOW)), tampered, none, await google.sign(claims(DELIVERY_NOW), { kid: 'unknown' }), await google.sign(claims(DELIVERY_NOW), { alg: 'HS256' }), 'not-a-jwt', 'a.b.c']) {
      await expect(verifyWith(token)).rejects.toBeInstanceOf(UnauthorizedError)
    }
    await expect(garSource.verify(deliveryOf(fixture('insert-tagged.json')), options)).rejects.toThrow(/missing/)
  })
})

describe('gar source: parse', () => {
  const parse = (name: string, ctx = context) => garSource.parse(deliveryOf(fixture(name)), options, ctx)

  it('splits the full `tag` reference and takes the digest of the same repository', () => {
    expect(parse('insert-tagged.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'my-project/containers/app-amd64', tag: 'v1.0.2', digest: D1, occurredAt: '2026-11-27T11:59:00.123000000Z', id: '9000000001' }])
  })

  it('ignores untagged inserts, deletes, refs on unconfigured hosts and non-references', () => {
    expect(parse('insert-untagged.json')).toEqual([{ kind: 'ignored', reason: 'push by digest (no tag)', id: '9000000001' }])
    expect(parse('delete.json')).toEqual([{ kind: 'ignored', reason: 'action "DELETE"', id: '9000000001' }])
    expect(parse('insert-tagged.json', { registries: ['us-docker.pkg.dev'] })).toEqual([expect.objectContaining({ reason: 'registry host is not configured' })])
    const json = { 'content-type': 'application/json' }
    expect(garSource.parse(rawDelivery(pushBody({ action: 'INSERT', tag: 'v1.0.2' }), json), options, context)).toEqual([expect.objectContaining({ reason: 'tag is not a full image reference' })])
  })

  it('drops a digest hint that names another repository', () => {
    const data = { action: 'INSERT', tag: `${BASE}/app-amd64:v1`, digest: `${BASE}/other@${D1}` }
    expect(garSource.parse(rawDelivery(pushBody(data), { 'content-type': 'application/json' }), options, context)[0]).not.toHaveProperty('digest')
  })

  it('refuses a wrong content type (415), bad base64 and bad inner JSON (400)', () => {
    expect(() => garSource.parse(deliveryOf(fixture('insert-tagged.json'), { 'content-type': 'text/plain' }), options, context)).toThrow(UnsupportedMediaTypeError)
    const bad = (body: string) => () => garSource.parse(rawDelivery(body, { 'content-type': 'application/json' }), options, context)
    expect(bad('{"message":{"data":"@@@"}}')).toThrow(InvalidPayloadError)
    expect(bad('{"message":{"data":"abc"}}')).toThrow(InvalidPayloadError)
    expect(bad(`{"message":{"data":"${btoa('not json')}"}}`)).toThrow(InvalidPayloadError)
    expect(bad(`{"message":{"data":"${btoa('{"action":5}')}"}}`)).toThrow(InvalidPayloadError)
  })
})

describe('gar config', () => {
  // Google signs an ID token for any audience any Google identity asks for: without the account, anyone passes.
  it('requires the push service account', () => {
    expect(() => parseConfig({ sources: { gar: { audience: AUDIENCE, jwks: { keys: [google.jwk] } } } })).toThrow('sources.gar.serviceAccount: Invalid input: expected string, received undefined')
  })
})

describe('gar through the app (fake europe-docker.pkg.dev)', () => {
  const nowSeconds = NOW.getTime() / 1000
  const harness = () =>
    createProviderHarness({
      host: HOST,
      sources: { gar: { audience: AUDIENCE, jwks: { keys: [google.jwk, rotated.jwk] }, serviceAccount: ACCOUNT } },
      from: 'my-project/containers/app-{arch}:{version}',
      target: 'my-project/containers/app',
    })
  const headers = async (extra: Record<string, unknown> = {}) => ({ 'content-type': 'application/json', authorization: `Bearer ${await google.sign(claims(nowSeconds, extra))}` })

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`my-project/containers/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      const body = pushBody({ action: 'INSERT', digest: `${BASE}/app-${arch}@${digest}`, tag: `${BASE}/app-${arch}:v1.0.2` })
      expect((await h.post('/webhooks/gar', body, await headers())).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('acks unknown images and deletes with 2xx (Pub/Sub redelivers anything else) and touches nothing', async () => {
    const h = harness()
    expect((await h.post('/webhooks/gar', pushBody({ action: 'INSERT', tag: `${BASE}/unrelated:v1` }), await headers())).status).toBe(202)
    expect((await h.post('/webhooks/gar', JSON.stringify(fixture('delete.json').body), await headers())).status).toBe(202)
    await h.expectUntouched()
  })

  it('refuses a replayed (expired) token, a wrong audience, no token and a wrong content type; touches nothing', async () => {
    const h = harness()
    const body = pushBody({ action: 'INSERT', tag: `${BASE}/app-amd64:v1.0.2` })
    await expectError(await h.post('/webhooks/gar', body, await headers({ iat: nowSeconds - 7200, exp: nowSeconds - 3600 })), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/gar', body, await headers({ aud: 'https://other.example' })), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/gar', body, { 'content-type': 'application/json' }), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/gar', body, { ...(await headers()), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    await h.expectUntouched()
  })
})
