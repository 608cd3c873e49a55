import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { readCloudEvent } from '../../src/sources/cloud-events.ts'
import { verifyJwt } from '../../src/sources/jwt.ts'
import { buildPushEvent, hostOf } from '../../src/sources/push-event.ts'
import { parseTimestamp, requireFresh } from '../../src/sources/timestamp-window.ts'
import { rawDelivery } from '../support/fixtures.ts'
import { createTestSigner } from './helpers/signing.ts'

const D1 = `sha256:${'1'.repeat(64)}`
const context = { registries: ['registry.test'] }

describe('buildPushEvent', () => {
  const push = (fields: Record<string, unknown>) => buildPushEvent({ registry: 'registry.test', repository: 'demo/app', tag: 'v1', ...fields }, context)

  it('keeps a valid digest and a manifest media type, drops anything else', () => {
    expect(push({ digest: D1, mediaType: 'application/vnd.oci.image.index.v1+json', id: 'e1' })).toEqual({
      kind: 'push', registry: 'registry.test', repository: 'demo/app', tag: 'v1', digest: D1, mediaType: 'application/vnd.oci.image.index.v1+json', id: 'e1',
    })
    expect(push({ digest: 'sha256:short', mediaType: 'application/octet-stream' })).toEqual({ kind: 'push', registry: 'registry.test', repository: 'demo/app', tag: 'v1' })
  })

  it.each([
    [{ tag: undefined }, 'push by digest (no tag)'],
    [{ tag: D1 }, 'push by digest (no tag)'],
    [{ repository: 'Demo/App' }, 'invalid repository or tag'],
    [{ repository: '../etc' }, 'invalid repository or tag'],
    [{ tag: 'v1 ' }, 'invalid repository or tag'],
    [{ registry: 'evil.example' }, 'registry host is not configured'],
    [{ registry: undefined }, 'registry host is not configured'],
  ])('ignores %j: %s', (fields, reason) => {
    expect(push(fields)).toMatchObject({ kind: 'ignored', reason })
  })

  it('reads the host of a location with or without a scheme', () => {
    expect(hostOf('harbor.test/demo/app:v1')).toBe('harbor.test')
    expect(hostOf('https://gitea.test:3000/owner/-/packages')).toBe('gitea.test:3000')
    expect(hostOf('')).toBeUndefined()
    expect(hostOf('/no-host')).toBeUndefined()
  })
})

describe('timestamp window', () => {
  const now = '2026-11-27T12:00:00.000Z'

  it('parses RFC 3339 and Nexus-style +0000 offsets, nothing else', () => {
    expect(parseTimestamp('2026-11-27T11:00:00Z')).toBe(Date.parse('2026-11-27T11:00:00Z'))
    expect(parseTimestamp('2026-11-27T13:00:00.000+0100')).toBe(Date.parse('2026-11-27T12:00:00Z'))
    expect(parseTimestamp('2026-11-27T12:00:00.123456789+00:00')).toBe(Date.parse('2026-11-27T12:00:00.123Z'))
    for (const text of ['1795780740', 'yesterday', '2026-11-27', '2026-13-45T99:00:00Z']) expect(parseTimestamp(text)).toBeUndefined()
  })

  it('accepts the window and a little clock skew ahead, refuses the rest; 0 disables', () => {
    expect(() => requireFresh('2026-11-27T11:00:01Z', now, 3600, 'timestamp')).not.toThrow()
    expect(() => requireFresh('2026-11-27T12:04:59Z', now, 3600, 'timestamp')).not.toThrow()
    expect(() => requireFresh('2026-11-27T10:59:59Z', now, 3600, 'timestamp')).toThrow(UnauthorizedError)
    expect(() => requireFresh('2026-11-27T12:05:01Z', now, 3600, 'timestamp')).toThrow(UnauthorizedError)
    expect(() => requireFresh('2020-01-01T00:00:00Z', now, 0, 'timestamp')).not.toThrow()
    expect(() => requireFresh('soon', now, 60, 'timestamp')).toThrow(InvalidPayloadError)
  })
})

describe('CloudEvents', () => {
  it('reads structured and binary mode alike', () => {
    const structured = rawDelivery(JSON.stringify({ specversion: '1.0', type: 't', id: 'i', source: 's', time: '2026-11-27T12:00:00Z', data: { a: 1 } }), { 'content-type': 'application/cloudevents+json; charset=utf-8' })
    const binary = rawDelivery('{"a":1}', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-type': 't', 'ce-id': 'i', 'ce-source': 's', 'ce-time': '2026-11-27T12:00:00Z' })
    const expected = { type: 't', id: 'i', source: 's', time: '2026-11-27T12:00:00Z', data: { a: 1 } }
    expect(readCloudEvent(structured)).toEqual(expected)
    expect(readCloudEvent(binary)).toEqual(expected)
  })

  it('refuses other versions, missing attributes and foreign content types', () => {
    expect(() => readCloudEvent(rawDelivery('{"specversion":"0.3","type":"t","id":"i","source":"s"}', { 'content-type': 'application/cloudevents+json' }))).toThrow(InvalidPayloadError)
    expect(() => readCloudEvent(rawDelivery('{}', { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-type': 't' }))).toThrow(InvalidPayloadError)
    expect(() => readCloudEvent(rawDelivery('{}', { 'content-type': 'application/cloudevents-batch+json' }))).toThrow(UnsupportedMediaTypeError)
  })
})

describe('verifyJwt', () => {
  it('accepts an audience list, honours nbf, refuses oversized tokens and an unusable configured key', async () => {
    const signer = await createTestSigner('k1')
    const policy = { keys: [signer.jwk], issuers: ['https://accounts.google.com'], audiences: ['aud-2'], nowSeconds: 1_000_000, skewSeconds: 60 }
    const claims = { iss: 'https://accounts.google.com', aud: ['aud-1', 'aud-2'], iat: 999_990, exp: 1_003_600 }
    await expect(verifyJwt(await signer.sign(claims), policy)).resolves.toMatchObject({ aud: ['aud-1', 'aud-2'] })
    await expect(verifyJwt(await signer.sign({ ...claims, nbf: 1_000_100 }), policy)).rejects.toThrow(/not valid yet/)
    await expect(verifyJwt(await signer.sign({ ...claims, pad: 'x'.repeat(9000) }), policy)).rejects.toThrow(/compact serialization/)
    const broken = { ...policy, keys: [{ ...signer.jwk, n: 'AQAB' }] }
    await expect(verifyJwt(await signer.sign(claims), broken)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})
