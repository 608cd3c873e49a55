import { describe, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry, createFetchRouter, type FakeRegistry, type FakeRegistryOptions } from '../support/fake-registry.ts'
import { createTestClient, registryOptions, repo } from './client-fixture.ts'

const HOST = '127.0.0.1:5000'
const arm64 = { os: 'linux', architecture: 'arm64' }
const lines = (fake: FakeRegistry) => fake.requests.map((r) => `${r.method} ${r.path}${r.query.startsWith('?mount') ? ' mount' : ''} ${r.status}`)

async function setup(options: FakeRegistryOptions = {}, credentials = {}) {
  const fake = createFakeRegistry({ host: HOST, ...options })
  const image = await buildFakeImage({ platform: arm64, seed: 'b', format: 'oci', osVersion: '10.0.17763.1' })
  await seedFakeImage(fake, 'demo/src', 'v1', image)
  fake.requests.length = 0
  return { fake, image, src: repo(HOST, 'demo/src'), dst: repo(HOST, 'demo/app'), ...createTestClient(fake.fetch, { [HOST]: registryOptions(credentials) }) }
}

describe('getBlob', () => {
  it('returns the verified bytes', async () => {
    const { image, client, src } = await setup()
    expect(await client.getBlob(src, image.config.descriptor.digest)).toEqual(image.config.bytes)
  })

  it.each([
    ['digest-mismatch', () => new Response('not the config'), undefined],
    ['too-large', undefined, 10],
  ])('fails with %s', async (reason, hook, maxBytes) => {
    const { fake, image, client, src } = await setup()
    fake.onRequest = hook
    await expect(client.getBlob(src, image.config.descriptor.digest, maxBytes)).rejects.toMatchObject({ code: 'REGISTRY_ERROR', reason })
  })

  it('follows a redirect to a storage host without sending it the Authorization header', async () => {
    const storage: Array<{ url: string; authorization: string | null }> = []
    const fake = createFakeRegistry({ host: HOST, auth: 'bearer', users: { ci: 'pw' }, redirectBlobs: (digest) => `https://storage.test/blobs/${digest}?X-Amz-Signature=s` })
    const image = await buildFakeImage({ platform: arm64, seed: 'r', format: 'docker' })
    await seedFakeImage(fake, 'demo/src', 'v1', image)
    const fetch = createFetchRouter({
      [HOST]: fake.handle,
      'storage.test': (request) => {
        storage.push({ url: request.url, authorization: request.headers.get('authorization') })
        return new Response(image.config.bytes as Uint8Array<ArrayBuffer>)
      },
    })
    const { client } = createTestClient(fetch, { [HOST]: registryOptions({ username: 'ci', password: 'pw' }) })
    expect(await client.getBlob(repo(HOST, 'demo/src'), image.config.descriptor.digest)).toEqual(image.config.bytes)
    expect(storage).toEqual([{ url: expect.stringContaining('https://storage.test/blobs/sha256:'), authorization: null }])
    expect(fake.requests.filter((r) => r.status === 307).map((r) => r.headers.authorization)).toEqual([expect.stringMatching(/^Bearer /)])
  })
})

describe('copyBlob', () => {
  it('skips foreign layers without any request', async () => {
    const { fake, image, client, src, dst } = await setup()
    expect(await client.copyBlob(src, dst, image.foreignLayers[0]!)).toBe('skipped')
    expect(fake.requests).toEqual([])
  })

  it('answers "exists" for a copy within one repository without any request', async () => {
    const { fake, image, client, src } = await setup()
    expect(await client.copyBlob(src, src, image.config.descriptor)).toBe('exists')
    expect(fake.requests).toEqual([])
  })

  it('mounts across repositories of one registry in one request (201)', async () => {
    const { fake, image, client, src, dst } = await setup()
    expect(await client.copyBlob(src, dst, image.layers[0]!.descriptor)).toBe('mounted')
    expect(lines(fake)).toEqual(['POST /v2/demo/app/blobs/uploads/ mount 201'])
    expect(fake.requests[0]!.query).toBe(`?mount=${encodeURIComponent(image.layers[0]!.descriptor.digest)}&from=demo%2Fsrc`)
    expect(fake.hasBlob('demo/app', image.layers[0]!.descriptor.digest)).toBe(true)
  })

  it.each([[false], [true]])('streams into the session a 202 mount opened (absolute Location: %s)', async (absoluteLocations) => {
    const { fake, image, client, src, dst } = await setup({ refuseMounts: true, absoluteLocations })
    const seen: Array<{ stream: boolean; length: string | null; type: string | null }> = []
    fake.onRequest = (request) => {
      if (request.method === 'PUT') {
        seen.push({ stream: request.body instanceof ReadableStream, length: request.headers.get('content-length'), type: request.headers.get('content-type') })
      }
      return undefined
    }
    const layer = image.layers[1]!.descriptor
    expect(await client.copyBlob(src, dst, layer)).toBe('copied')
    expect(lines(fake)).toEqual(['POST /v2/demo/app/blobs/uploads/ mount 202', 'GET /v2/demo/src/blobs/' + layer.digest + ' 200', expect.stringMatching(/^PUT \/v2\/demo\/app\/blobs\/uploads\/[-0-9a-f]+ 201$/)])
    expect(fake.requests[2]!.query).toMatch(/^\?_state=[^&]+&digest=sha256%3A[0-9a-f]{64}$/)
    expect(seen).toEqual([{ stream: true, length: String(layer.size), type: 'application/octet-stream' }])
    expect(fake.hasBlob('demo/app', layer.digest)).toBe(true)
  })

  it('passes the source response stream to the PUT without buffering it', async () => {
    const { fake, image, src, dst } = await setup({ refuseMounts: true })
    const bodies: unknown[] = []
    const spy = (async (input: string | URL | Request, init?: RequestInit) => {
      if (init?.method === 'PUT') bodies.push(init.body)
      return fake.fetch(input, init)
    }) as typeof fetch
    const { client } = createTestClient(spy, { [HOST]: registryOptions() })
    await client.copyBlob(src, dst, image.layers[0]!.descriptor)
    expect(bodies).toHaveLength(1)
    expect(bodies[0]).toBeInstanceOf(ReadableStream)
  })

  it('restarts the whole copy (new GET, new session) when the streamed PUT fails temporarily', async () => {
    const { fake, image, client, src, dst, sleeps } = await setup({ refuseMounts: true })
    let failed = false
    fake.onRequest = async (request) => {
      if (request.method !== 'PUT' || failed) return undefined
      failed = true
      await request.arrayBuffer()
      return Response.json({ errors: [{ code: 'UNAVAILABLE', message: 'try later' }] }, { status: 503 })
    }
    expect(await client.copyBlob(src, dst, image.layers[0]!.descriptor)).toBe('copied')
    expect(lines(fake).map((line) => line.replace(/uploads\/[-0-9a-f]+/, 'uploads/…').replace(/sha256:\w+/, 'D'))).toEqual([
      'POST /v2/demo/app/blobs/uploads/ mount 202',
      'GET /v2/demo/src/blobs/D 200',
      'PUT /v2/demo/app/blobs/uploads/… 503',
      'POST /v2/demo/app/blobs/uploads/ 202',
      'GET /v2/demo/src/blobs/D 200',
      'PUT /v2/demo/app/blobs/uploads/… 201',
    ])
    expect(sleeps).toHaveLength(1)
  })

  it('gives up on a streamed copy once the deadline is reached', async () => {
    const fake = createFakeRegistry({ host: HOST, refuseMounts: true })
    const image = await buildFakeImage({ platform: arm64, seed: 'd', format: 'oci' })
    await seedFakeImage(fake, 'demo/src', 'v1', image)
    fake.onRequest = (request) => (request.method === 'PUT' ? Response.json({ errors: [] }, { status: 503 }) : undefined)
    const { client, sleeps } = createTestClient(fake.fetch, { [HOST]: registryOptions() }, { retry: { deadlineMs: 250, baseDelayMs: 200 } })
    await expect(client.copyBlob(repo(HOST, 'demo/src'), repo(HOST, 'demo/app'), image.layers[0]!.descriptor)).rejects.toMatchObject({
      status: 503,
      temporary: true,
    })
    // 100-200 ms (200 with 50-100 % jitter) fits in 250 ms; the next 200-400 ms would pass the deadline.
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(100)
    expect(sleeps[0]).toBeLessThanOrEqual(200)
  })

  it.each([
    ['absent: HEAD, GET, POST, PUT', false, 'copied', ['HEAD 404', 'POST 202', 'PUT 201'], ['GET 200']],
    ['present: one HEAD', true, 'exists', ['HEAD 200'], []],
  ])('copies across registries, %s', async (_name, present, outcome, targetLines, sourceLines) => {
    const source = createFakeRegistry({ host: 'src.test' })
    const target = createFakeRegistry({ host: 'dst.test' })
    const image = await buildFakeImage({ platform: arm64, seed: 'x', format: 'docker' })
    await seedFakeImage(source, 'demo/app', 'v1', image)
    if (present) await target.putBlob('mirror/app', image.layers[0]!.bytes)
    source.requests.length = 0
    target.requests.length = 0
    const fetch = createFetchRouter({ 'src.test': source.handle, 'dst.test': target.handle })
    const { client } = createTestClient(fetch, { 'src.test': registryOptions(), 'dst.test': registryOptions() })
    expect(await client.copyBlob(repo('src.test', 'demo/app'), repo('dst.test', 'mirror/app'), image.layers[0]!.descriptor)).toBe(outcome)
    expect(target.requests.map((r) => `${r.method} ${r.status}`)).toEqual(targetLines)
    expect(source.requests.map((r) => `${r.method} ${r.status}`)).toEqual(sourceLines)
    expect(target.hasBlob('mirror/app', image.layers[0]!.descriptor.digest)).toBe(true)
  })

  it('reports a missing source blob as a 404 RegistryError', async () => {
    const { client, src, dst } = await setup({ refuseMounts: true })
    const missing = { mediaType: MEDIA_TYPES.ociConfig, digest: `sha256:${'a'.repeat(64)}`, size: 3 }
    await expect(client.copyBlob(src, dst, missing)).rejects.toMatchObject({ status: 404, ociCodes: ['BLOB_UNKNOWN'] })
  })
})
