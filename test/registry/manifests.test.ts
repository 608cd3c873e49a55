import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { MANIFEST_ACCEPT, MEDIA_TYPES } from '../../src/core/media-types.ts'
import { RegistryError } from '../../src/registry/errors.ts'
import { buildFakeImage, seedFakeImage, type FakeImage } from '../support/fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from '../support/fake-registry.ts'
import { createTestClient, registryOptions, repo } from './client-fixture.ts'

const amd64 = { os: 'linux', architecture: 'amd64' }

async function setup(format: 'docker' | 'oci' = 'oci', attestation = false) {
  const fake = createFakeRegistry({ host: '127.0.0.1:5000' })
  const image = await buildFakeImage({ platform: amd64, seed: 'm', format, attestation })
  await seedFakeImage(fake, 'demo/src', 'v1', image)
  const { client } = createTestClient(fake.fetch, { [fake.host]: registryOptions() })
  return { fake, image, client, src: repo(fake.host, 'demo/src'), dst: repo(fake.host, 'demo/app') }
}

const requestsOf = (fake: FakeRegistry) => fake.requests.map((r) => `${r.method} ${r.path}`)

async function seedChildren(fake: FakeRegistry, repository: string, image: FakeImage) {
  for (const item of [image.config, ...image.layers]) await fake.putBlob(repository, item.bytes)
}

describe('getManifest', () => {
  it.each([
    ['docker', false, MEDIA_TYPES.dockerManifest],
    ['oci', false, MEDIA_TYPES.ociManifest],
    ['oci', true, MEDIA_TYPES.ociIndex],
  ] as const)('returns %s (attestation %s) with the full Accept list and the computed digest', async (format, attestation, mediaType) => {
    const { fake, image, client, src } = await setup(format, attestation)
    const manifest = await client.getManifest(src, 'v1')
    const top = image.index ?? image.manifest
    expect(manifest).toEqual({ digest: top.descriptor.digest, mediaType, bytes: top.bytes })
    expect(fake.requests).toHaveLength(1)
    expect(fake.requests[0]!.headers.accept!.split(', ')).toEqual([...MANIFEST_ACCEPT])
  })

  it('verifies the digest when fetching by digest', async () => {
    const { fake, image, client, src } = await setup()
    const digest = image.manifest.descriptor.digest
    expect((await client.getManifest(src, digest)).digest).toBe(digest)
    fake.onRequest = () => new Response('{"schemaVersion":2,"tampered":true}', { headers: { 'Content-Type': MEDIA_TYPES.ociManifest } })
    await expect(client.getManifest(src, digest)).rejects.toMatchObject({ code: 'REGISTRY_ERROR', reason: 'digest-mismatch' })
  })

  it('takes the mediaType from Content-Type when the body has none', async () => {
    const { fake, client, src } = await setup()
    const bytes = new TextEncoder().encode('{"schemaVersion":2,"config":{},"layers":[]}')
    fake.onRequest = () => new Response(bytes, { headers: { 'Content-Type': `${MEDIA_TYPES.dockerManifest}; charset=utf-8` } })
    const manifest = await client.getManifest(src, 'v1')
    expect(manifest).toEqual({ digest: await computeDigest(bytes), mediaType: MEDIA_TYPES.dockerManifest, bytes })
  })

  it('refuses manifests over 4 MiB', async () => {
    const { fake, client, src } = await setup()
    fake.onRequest = () => new Response(new Uint8Array(4 * 1024 * 1024 + 1))
    await expect(client.getManifest(src, 'v1')).rejects.toMatchObject({ reason: 'too-large' })
  })

  it('reports a 404 as a non-temporary RegistryError with the OCI code', async () => {
    const { client, src } = await setup()
    const error = await client.getManifest(src, 'nope').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect(error).toMatchObject({ status: 404, ociCodes: ['MANIFEST_UNKNOWN'], temporary: false })
    expect((error as Error).message).toBe('GET http://127.0.0.1:5000/v2/demo/src/manifests/nope: 404 MANIFEST_UNKNOWN manifest unknown')
  })

  it('never contacts a registry that is not configured', async () => {
    const { fake, client } = await setup()
    await expect(client.getManifest(repo('evil.test', 'x/y'), 'v1')).rejects.toMatchObject({ reason: 'not-configured' })
    expect(fake.requests).toEqual([])
  })
})

describe('headManifest', () => {
  it('returns digest, media type and size with the Accept list, or undefined on 404', async () => {
    const { fake, image, client, src } = await setup('docker')
    expect(await client.headManifest(src, 'v1')).toEqual({
      digest: image.manifest.descriptor.digest,
      mediaType: MEDIA_TYPES.dockerManifest,
      size: image.manifest.bytes.byteLength,
    })
    expect(await client.headManifest(src, 'missing')).toBeUndefined()
    expect(fake.requests.map((r) => [r.method, r.status, r.headers.accept])).toEqual([
      ['HEAD', 200, MANIFEST_ACCEPT.join(', ')],
      ['HEAD', 404, MANIFEST_ACCEPT.join(', ')],
    ])
  })

  it('falls back to a GET when the registry sends no Docker-Content-Digest (optional under OCI)', async () => {
    const { fake, image, client, src } = await setup()
    fake.onRequest = (request) =>
      request.method === 'HEAD' ? new Response(null, { headers: { 'Content-Type': MEDIA_TYPES.ociManifest } }) : undefined
    expect((await client.headManifest(src, 'v1'))?.digest).toBe(image.manifest.descriptor.digest)
    expect(requestsOf(fake)).toEqual(['HEAD /v2/demo/src/manifests/v1', 'GET /v2/demo/src/manifests/v1'])
  })
})

describe('putManifest', () => {
  it('PUTs with Content-Type = mediaType and no HEAD by default, returning the local digest', async () => {
    const { fake, image, client, dst } = await setup()
    await seedChildren(fake, 'demo/app', image)
    const result = await client.putManifest(dst, 'v1', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })
    expect(result).toEqual({ digest: image.manifest.descriptor.digest, skipped: false })
    expect(requestsOf(fake)).toEqual(['PUT /v2/demo/app/manifests/v1'])
    expect(fake.requests[0]!.headers['content-type']).toBe(MEDIA_TYPES.ociManifest)
    expect(fake.getManifest('demo/app', 'v1')?.bytes).toEqual(image.manifest.bytes)
  })

  it.each([
    ['same digest: skipped, no PUT', true, ['HEAD /v2/demo/app/manifests/v1'], true],
    ['absent: HEAD then PUT', false, ['HEAD /v2/demo/app/manifests/v1', 'PUT /v2/demo/app/manifests/v1'], false],
  ])('headFirst, %s', async (_name, present, expected, skipped) => {
    const { fake, image, client, dst } = await setup()
    await seedChildren(fake, 'demo/app', image)
    if (present) await fake.putManifest('demo/app', 'v1', image.manifest.bytes, MEDIA_TYPES.ociManifest)
    const result = await client.putManifest(dst, 'v1', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest }, { headFirst: true })
    expect(result.skipped).toBe(skipped)
    expect(requestsOf(fake)).toEqual(expected)
  })

  it('headFirst PUTs when the tag points at another digest, and treats a 403 HEAD as absent (Artifactory)', async () => {
    const { fake, image, client, dst } = await setup('oci', true)
    await seedChildren(fake, 'demo/app', image)
    await fake.putManifest('demo/app', 'v1', new TextEncoder().encode('{"old":1}'), MEDIA_TYPES.ociManifest)
    const put = { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest }
    expect((await client.putManifest(dst, 'v1', put, { headFirst: true })).skipped).toBe(false)
    fake.failNext(1, 403)
    expect((await client.putManifest(dst, 'v2', put, { headFirst: true })).skipped).toBe(false)
    expect(fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 200', 'PUT 201', 'HEAD 403', 'PUT 201'])
  })

  it('fails with MANIFEST_BLOB_UNKNOWN when the children are missing from the repository', async () => {
    const { image, client, dst } = await setup()
    const error = await client.putManifest(dst, 'v1.0.2', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest }).catch((e: unknown) => e)
    expect((error as Error).message).toBe(
      'PUT http://127.0.0.1:5000/v2/demo/app/manifests/v1.0.2: 400 MANIFEST_BLOB_UNKNOWN blob unknown to registry',
    )
    expect(error).toMatchObject({ status: 400, ociCodes: ['MANIFEST_BLOB_UNKNOWN'], temporary: false })
  })

  it('fails when the registry reports another digest than the bytes we sent', async () => {
    const { fake, image, client, dst } = await setup()
    fake.onRequest = () => new Response(null, { status: 201, headers: { 'Docker-Content-Digest': `sha256:${'0'.repeat(64)}` } })
    await expect(client.putManifest(dst, 'v1', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })).rejects.toMatchObject({
      reason: 'digest-mismatch',
    })
  })

  it('retries a 503 on PUT (the bytes can be replayed) but not a 400', async () => {
    const { fake, image, client, dst, src } = await setup()
    await seedChildren(fake, 'demo/app', image)
    fake.failNext(1, 503, { 'Retry-After': '1' })
    await client.putManifest(dst, 'v1', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })
    fake.failNext(1, 400)
    await expect(client.putManifest(src, 'v2', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })).rejects.toMatchObject({
      status: 400,
    })
    expect(fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 503', 'PUT 201', 'PUT 400'])
  })
})
