import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { distributionSource } from '../../src/sources/distribution.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'

const options = { tokens: [new Secret('old-token'), new Secret('s3cret')] }
const context = { registries: ['127.0.0.1:5050'] }
const auth = { authorization: 'Bearer s3cret' }
const one = (name: string) => readFixture('distribution', name)[0]!

describe('distribution source: verify', () => {
  it('accepts any configured token (rotation)', async () => {
    await expect(distributionSource.verify(deliveryOf(one('blob-push.json'), auth), options)).resolves.toBeUndefined()
    await expect(distributionSource.verify(deliveryOf(one('blob-push.json'), { authorization: 'Bearer old-token' }), options)).resolves.toBeUndefined()
  })

  it.each([
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['a missing header', {}],
    ['a Basic header', { authorization: 'Basic czNjcmV0' }],
    ['a token prefix', { authorization: 'Bearer s3cre' }],
  ])('refuses %s', async (_, headers) => {
    await expect(distributionSource.verify(deliveryOf(one('blob-push.json'), headers), options)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})

describe('distribution source: parse', () => {
  const parse = (name: string, extra = {}) => distributionSource.parse(deliveryOf(one(name), { ...auth, ...extra }), options, context)

  it('turns a manifest push by tag into a push event', () => {
    expect(parse('manifest-push-by-tag.json')).toEqual([
      {
        kind: 'push',
        registry: '127.0.0.1:5050',
        repository: 'demo/events',
        tag: 'v1.0.2-amd64',
        digest: 'sha256:03a0acc1838ccd05d4bd07907e76634414abd7117e338319e2d74041ad54d5ca',
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        references: [
          { mediaType: 'application/vnd.docker.container.image.v1+json', size: 438, digest: 'sha256:f41b5fe0729e85f6eb1164e84245aae8b3c5f1dbf66d453342590894063d39f5' },
          { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 148, digest: 'sha256:a541b9317e1b459967cc2a0e0b7ff827d43b929c8dba28ae0e4d09ce1485e743' },
        ],
        occurredAt: '2026-11-27T19:02:40.338289801Z',
        id: '0bdf824e-4cbf-49e5-9430-fff87e82fd80',
      },
    ])
  })

  it('keeps at most 128 blob hints (an image has at most 127 layers and a config)', () => {
    const references = Array.from({ length: 1000 }, (_, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${i.toString(16).padStart(64, '0')}`, size: 1 }))
    const body = { events: [{ action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: 'demo/app-amd64', tag: 'v1', digest: `sha256:${'a'.repeat(64)}`, references }, request: { host: 'registry.test' } }] }
    const delivery = deliveryOf({ headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json' }, body } as Parameters<typeof deliveryOf>[0], auth)
    const [event] = distributionSource.parse(delivery, options, { registries: ['registry.test'] })
    expect(event).toMatchObject({ kind: 'push' })
    expect(event?.kind === 'push' && event.references).toEqual(references.slice(0, 128))
  })

  it('passes no blob hints for an index push (its references are manifests, not blobs)', () => {
    expect(parse('index-push-oci-buildx-attestation.json')[0]).not.toHaveProperty('references')
  })

  it('keeps a tagged index push (a buildx per-arch push is an index)', () => {
    expect(parse('index-push-oci-buildx-attestation.json')[0]).toMatchObject({ kind: 'push', tag: 'v1.0.2-arm64', repository: 'demo/events-buildx' })
  })

  it.each([
    ['blob-push.json', 'not a manifest (blob or artifact)'],
    ['blob-mount.json', 'action "mount"'],
    ['blob-pull-head.json', 'action "pull"'],
    ['manifest-pull-head.json', 'action "pull"'],
    ['manifest-push-by-digest.json', 'push by digest (no tag)'],
  ])('ignores %s', (name, reason) => {
    expect(parse(name)).toEqual([expect.objectContaining({ kind: 'ignored', reason })])
  })

  it('finds exactly one tagged push in the 22-request docker manifest sequence', () => {
    const events = readFixture('distribution', 'sequence-docker-manifest-push.json').flatMap((request) =>
      distributionSource.parse(deliveryOf(request, auth), options, context),
    )
    expect(events).toHaveLength(22)
    expect(events.filter((e) => e.kind === 'push').map((e) => e.kind === 'push' && e.tag)).toEqual(['v1.0.2'])
  })

  it('handles several events in one envelope', () => {
    const events = [one('blob-push.json'), one('manifest-push-by-tag.json'), one('blob-mount.json')].flatMap((c) => (c.body as { events: unknown[] }).events)
    const delivery = rawDelivery(JSON.stringify({ events }), { ...auth, 'content-type': 'application/vnd.docker.distribution.events.v1+json' })
    expect(distributionSource.parse(delivery, options, context).map((e) => e.kind)).toEqual(['ignored', 'push', 'ignored'])
  })

  it('accepts the v2 envelope media type of distribution v3', () => {
    expect(parse('manifest-push-by-tag.json', { 'content-type': 'application/vnd.docker.distribution.events.v2+json' })[0]?.kind).toBe('push')
  })

  it('never takes a registry host from the payload unless it is configured', () => {
    const events = distributionSource.parse(deliveryOf(one('manifest-push-by-tag.json'), auth), options, { registries: ['registry.example'] })
    expect(events).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'registry host is not configured' })])
    const pinned = distributionSource.parse(deliveryOf(one('manifest-push-by-tag.json'), auth), { ...options, registry: 'registry.example' }, { registries: ['registry.example'] })
    expect(pinned[0]).toMatchObject({ kind: 'push', registry: 'registry.example' })
  })

  it('refuses a wrong content type with 415 and malformed bodies with 400', () => {
    expect(() => parse('manifest-push-by-tag.json', { 'content-type': 'text/plain' })).toThrow(UnsupportedMediaTypeError)
    const bad = (body: string) => () => distributionSource.parse(rawDelivery(body, { 'content-type': 'application/json' }), options, context)
    expect(bad('{"events":')).toThrow(InvalidPayloadError)
    expect(bad('{"events":{}}')).toThrow(InvalidPayloadError)
    expect(bad('[]')).toThrow(InvalidPayloadError)
    expect(bad('{"events":[{"action":7}]}')).toThrow(InvalidPayloadError)
  })

  it('ignores events with an invalid repository or tag instead of resolving them', () => {
    const event = { action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: '../../etc', tag: 'v1' }, request: { host: '127.0.0.1:5050' } }
    const delivery = rawDelivery(JSON.stringify({ events: [event] }), { 'content-type': 'application/json' })
    expect(distributionSource.parse(delivery, options, context)).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'invalid repository or tag' })])
  })
})
