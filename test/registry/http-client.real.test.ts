/**
 * The registry client against a real CNCF distribution 2.8 registry (/usr/bin/docker-registry):
 * plain, htpasswd and token auth, using undici's fetch as the Node runtime does. Content is seeded
 * by copying from a fake registry, which also exercises the cross-registry streamed copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetch as undiciFetch } from 'undici'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { silentLogger } from '../../src/log.ts'
import { RegistryError } from '../../src/registry/errors.ts'
import { createRegistryClient, type HttpRegistryClient } from '../../src/registry/http-client.ts'
import { buildFakeImage, seedFakeImage, type FakeImage } from '../support/fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from '../support/fake-registry.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { startTokenServer, type TokenServer } from '../support/token-server.ts'
import { describeWithTools } from '../support/tools.ts'
import { registryOptions, repo } from './client-fixture.ts'

const SEED = 'seed.test'
const USER = 'publisher'
const PASSWORD = 'real-Pa55-w0rd'
const platforms = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
]

interface Logged {
  host: string
  method: string
  path: string
  status: number
}

/** undici's fetch for the real hosts, the fake for the seed host; logs the real requests. */
function createRouterFetch(seed: FakeRegistry, log: Logged[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input)
    if (url.host === SEED) return seed.fetch(input, init)
    const response = await (undiciFetch as unknown as typeof fetch)(input, init)
    log.push({ host: url.host, method: init?.method ?? 'GET', path: url.pathname, status: response.status })
    return response
  }) as typeof fetch
}

async function seedImages(): Promise<{ seed: FakeRegistry; images: FakeImage[] }> {
  const seed = createFakeRegistry({ host: SEED })
  const images = await Promise.all(platforms.map((platform, i) => buildFakeImage({ platform, seed: `real-${i}`, format: 'oci' })))
  for (const [i, image] of images.entries()) await seedFakeImage(seed, 'seed/app', `v1-${i}`, image)
  return { seed, images }
}

/** The requests that went to the registry itself (not to the token server). */
const registryLines = (log: Logged[], registry: RegistryServer) =>
  log.filter((l) => l.host === registry.host).map((l) => `${l.method} ${l.status}`)

function createClient(registry: RegistryServer, seed: FakeRegistry, log: Logged[], credentials = {}): HttpRegistryClient {
  return createRegistryClient({
    fetch: createRouterFetch(seed, log),
    registries: { [SEED]: registryOptions(), [registry.host]: registryOptions({ insecure: true, ...credentials }) },
    log: silentLogger,
  })
}

/** Copies an image's blobs from the seed and PUTs its manifest under `reference`. */
async function pushImage(client: HttpRegistryClient, host: string, repository: string, image: FakeImage, reference: string) {
  const outcomes = []
  for (const blob of [image.config, ...image.layers]) outcomes.push(await client.copyBlob(repo(SEED, 'seed/app'), repo(host, repository), blob.descriptor))
  const put = await client.putManifest(repo(host, repository), reference, { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })
  return { outcomes, digest: put.digest }
}

function buildIndex(images: FakeImage[]): Uint8Array {
  const manifests = images.map((image) => ({
    mediaType: MEDIA_TYPES.ociManifest,
    digest: image.manifest.descriptor.digest,
    size: image.manifest.descriptor.size,
    platform: { os: image.platform.os, architecture: image.platform.architecture },
  }))
  return new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }))
}

function expectNoSecret(error: unknown) {
  const texts = [(error as Error).message, JSON.stringify(error), String((error as Error).stack)]
  for (const text of texts) {
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain(btoa(`${USER}:${PASSWORD}`))
  }
}

describeWithTools(['docker-registry'], 'registry client against docker-registry (distribution 2.8)', () => {
  describe('plain registry', () => {
    let registry: RegistryServer
    beforeAll(async () => void (registry = await startRegistry()))
    afterAll(async () => registry?.stop())

    it('pushes blobs, image manifests and an index, mounts across repositories and skips a repeated PUT', async () => {
      const { seed, images } = await seedImages()
      const log: Logged[] = []
      const client = createClient(registry, seed, log)
      const [amd64, arm64] = images as [FakeImage, FakeImage]
      const first = await pushImage(client, registry.host, 'demo/app-amd64', amd64, 'v1.0.2')
      expect(first.outcomes).toEqual(['copied', 'copied', 'copied'])
      expect((await pushImage(client, registry.host, 'demo/app-amd64', amd64, 'v1.0.2')).outcomes).toEqual(['exists', 'exists', 'exists'])
      await pushImage(client, registry.host, 'demo/app-arm64', arm64, 'v1.0.2')

      log.length = 0
      const target = repo(registry.host, 'demo/app')
      for (const [i, image] of images.entries()) {
        const from = repo(registry.host, `demo/app-${['amd64', 'arm64'][i]}`)
        for (const blob of [image.config, ...image.layers]) expect(await client.copyBlob(from, target, blob.descriptor)).toBe('mounted')
        await client.putManifest(target, image.manifest.descriptor.digest, { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })
      }
      const index = buildIndex(images)
      const pushed = await client.putManifest(target, 'v1.0.2', { bytes: index, mediaType: MEDIA_TYPES.ociIndex }, { headFirst: true })
      expect(pushed.skipped).toBe(false)
      expect(await client.putManifest(target, 'latest', { bytes: index, mediaType: MEDIA_TYPES.ociIndex }, { headFirst: true })).toEqual({
        digest: pushed.digest,
        skipped: false,
      })
      expect((await client.putManifest(target, 'v1.0.2', { bytes: index, mediaType: MEDIA_TYPES.ociIndex }, { headFirst: true })).skipped).toBe(true)
      // 2 x (3 mounts + 1 child PUT), then HEAD 404 + PUT, HEAD 404 + PUT for latest, one HEAD for the skip.
      expect(registryLines(log, registry)).toEqual([
        ...Array(2).fill(['POST 201', 'POST 201', 'POST 201', 'PUT 201']).flat(),
        'HEAD 404', 'PUT 201', 'HEAD 404', 'PUT 201', 'HEAD 200',
      ])

      const fetched = await client.getManifest(target, 'v1.0.2')
      expect(fetched).toEqual({ digest: pushed.digest, mediaType: MEDIA_TYPES.ociIndex, bytes: index })
      expect(await client.headManifest(target, pushed.digest)).toEqual({ digest: pushed.digest, mediaType: MEDIA_TYPES.ociIndex, size: index.byteLength })
      expect(await client.headManifest(target, 'nope')).toBeUndefined()
      expect(await client.getBlob(target, amd64.config.descriptor.digest)).toEqual(amd64.config.bytes)
    })

    it('lists every tag, none for an unknown repository', async () => {
      const { seed, images } = await seedImages()
      const log: Logged[] = []
      const client = createClient(registry, seed, log)
      const { digest } = await pushImage(client, registry.host, 'demo/many-tags', images[0] as FakeImage, 't0000')
      const tags = Array.from({ length: 1_050 }, (_, i) => `t${String(i).padStart(4, '0')}`)
      const manifest = { bytes: (images[0] as FakeImage).manifest.bytes, mediaType: MEDIA_TYPES.ociManifest }
      for (let i = 1; i < tags.length; i += 50) await Promise.all(tags.slice(i, i + 50).map((tag) => client.putManifest(repo(registry.host, 'demo/many-tags'), tag, manifest)))
      expect(digest).toBe((images[0] as FakeImage).manifest.descriptor.digest)
      log.length = 0
      // distribution 2.8 ignores `n` and answers every tag at once in storage order; v3 pages them
      // (https://github.com/distribution/distribution/blob/main/registry/handlers/tags.go). The fake pages.
      const listed = await client.listTags(repo(registry.host, 'demo/many-tags'))
      expect([...listed].sort()).toEqual(tags)
      expect(new Set(listed).size).toBe(listed.length)
      expect(log.filter((l) => l.path.endsWith('/tags/list')).map((l) => `${l.method} ${l.status}`)).toEqual(['GET 200'])
      expect(await client.listTags(repo(registry.host, 'demo/never-pushed'))).toEqual([])
    })

    it('reports a child missing from the repository as MANIFEST_BLOB_UNKNOWN', async () => {
      const { seed, images } = await seedImages()
      const client = createClient(registry, seed, [])
      const error = await client
        .putManifest(repo(registry.host, 'demo/empty'), 'v1', { bytes: buildIndex(images), mediaType: MEDIA_TYPES.ociIndex })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RegistryError)
      // distribution 2.8 reports every missing child, one error entry each.
      expect(error).toMatchObject({ status: 400, ociCodes: ['MANIFEST_BLOB_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN'], temporary: false })
      expect((error as Error).message).toBe(`PUT http://${registry.host}/v2/demo/empty/manifests/v1: 400 MANIFEST_BLOB_UNKNOWN blob unknown to registry`)
    })
  })

  describe('htpasswd (Basic) registry', () => {
    let registry: RegistryServer
    beforeAll(async () => void (registry = await startRegistry({ htpasswd: [{ username: USER, password: PASSWORD }] })))
    afterAll(async () => registry?.stop())

    it('answers the first 401 with Basic and then authenticates up front', async () => {
      const { seed, images } = await seedImages()
      const log: Logged[] = []
      const client = createClient(registry, seed, log, { username: USER, password: PASSWORD })
      const { outcomes, digest } = await pushImage(client, registry.host, 'demo/app', images[0]!, 'v1')
      expect(outcomes).toEqual(['copied', 'copied', 'copied'])
      expect((await client.getManifest(repo(registry.host, 'demo/app'), 'v1')).digest).toBe(digest)
      expect(log.filter((l) => l.status === 401)).toEqual([{ host: registry.host, method: 'HEAD', path: expect.stringContaining('/blobs/'), status: 401 }])
    })

    it('gives a RegistryError without the password for wrong credentials', async () => {
      const { seed } = await seedImages()
      const client = createClient(registry, seed, [], { username: USER, password: `${PASSWORD}-wrong` })
      const error = await client.getManifest(repo(registry.host, 'demo/app'), 'v1').catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'unauthorized', status: 401 })
      expectNoSecret(error)
      expect((error as Error).message).not.toContain(`${PASSWORD}-wrong`)
    })
  })

  describe('token (Bearer) registry', () => {
    let tokens: TokenServer
    let registry: RegistryServer
    let refuseSourcePull = 0
    beforeAll(async () => {
      tokens = await startTokenServer({
        users: { [USER]: PASSWORD },
        // Test hook: refuse pull on demo/src for the next N token requests that ask for it.
        grant: (user, repository, requested) => {
          if (repository === 'demo/src' && refuseSourcePull > 0) {
            refuseSourcePull--
            return []
          }
          return user === USER ? requested : requested.filter((action) => action === 'pull')
        },
      })
      registry = await startRegistry({ token: tokens })
    })
    afterAll(async () => {
      await registry?.stop()
      await tokens?.stop()
    })

    async function seedSource(seed: FakeRegistry, images: FakeImage[]) {
      const client = createClient(registry, seed, [], { username: USER, password: PASSWORD, tokenRealms: [tokens.realm] })
      await pushImage(client, registry.host, 'demo/src', images[0]!, 'v1')
    }

    it('costs one token request for a read-mount-put sequence declared up front', async () => {
      const { seed, images } = await seedImages()
      await seedSource(seed, images)
      const log: Logged[] = []
      const client = createClient(registry, seed, log, { username: USER, password: PASSWORD, tokenRealms: [tokens.realm] })
      const before = tokens.requests.length
      const [src, dst] = [repo(registry.host, 'demo/src'), repo(registry.host, 'demo/dst')]
      client.declareAccess({ pull: [src], push: [dst] })
      const manifest = await client.getManifest(src, 'v1')
      expect(await client.getBlob(src, images[0]!.config.descriptor.digest)).toEqual(images[0]!.config.bytes)
      for (const blob of [images[0]!.config, ...images[0]!.layers]) expect(await client.copyBlob(src, dst, blob.descriptor)).toBe('mounted')
      await client.putManifest(dst, 'v1', manifest)
      expect(tokens.requests.slice(before)).toEqual([
        { scopes: ['repository:demo/src:pull', 'repository:demo/dst:pull,push'], user: USER, at: expect.any(Number) },
      ])
      expect(registryLines(log, registry)).toEqual(['GET 401', 'GET 200', 'GET 200', 'POST 201', 'POST 201', 'POST 201', 'PUT 201'])
    })

    it('without a declaration, accumulates scopes: two token requests for the same sequence', async () => {
      const { seed, images } = await seedImages()
      await seedSource(seed, images)
      const client = createClient(registry, seed, [], { username: USER, password: PASSWORD, tokenRealms: [tokens.realm] })
      const before = tokens.requests.length
      const [src, dst] = [repo(registry.host, 'demo/src'), repo(registry.host, 'demo/dst2')]
      const manifest = await client.getManifest(src, 'v1')
      for (const blob of [images[0]!.config, ...images[0]!.layers]) expect(await client.copyBlob(src, dst, blob.descriptor)).toBe('mounted')
      await client.putManifest(dst, 'v1', manifest)
      expect(tokens.requests.slice(before).map((r) => r.scopes)).toEqual([
        ['repository:demo/src:pull'],
        ['repository:demo/dst2:pull,push', 'repository:demo/src:pull'],
      ])
    })

    it('answers distribution 401 insufficient_scope on a mount with a new token and mounts', async () => {
      const { seed, images } = await seedImages()
      await seedSource(seed, images)
      const log: Logged[] = []
      const client = createClient(registry, seed, log, { username: USER, password: PASSWORD, tokenRealms: [tokens.realm] })
      const before = tokens.requests.length
      refuseSourcePull = 1
      const layer = images[0]!.layers[0]!.descriptor
      expect(await client.copyBlob(repo(registry.host, 'demo/src'), repo(registry.host, 'demo/dst3'), layer)).toBe('mounted')
      expect(registryLines(log, registry)).toEqual(['POST 401', 'POST 401', 'POST 201'])
      expect(tokens.requests.slice(before)).toHaveLength(2)
    })

    it('fails cleanly when pull on the mount source is never granted', async () => {
      const { seed, images } = await seedImages()
      await seedSource(seed, images)
      const client = createClient(registry, seed, [], { username: USER, password: PASSWORD, tokenRealms: [tokens.realm] })
      refuseSourcePull = 100
      const layer = images[0]!.layers[0]!.descriptor
      const error = await client.copyBlob(repo(registry.host, 'demo/src'), repo(registry.host, 'demo/dst4'), layer).catch((e: unknown) => e)
      refuseSourcePull = 0
      expect(error).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'unauthorized', status: 401, method: 'GET' })
      expectNoSecret(error)
    })

    it('gives a RegistryError without the password for wrong credentials', async () => {
      const { seed } = await seedImages()
      const client = createClient(registry, seed, [], { username: USER, password: `${PASSWORD}-wrong`, tokenRealms: [tokens.realm] })
      const error = await client.headManifest(repo(registry.host, 'demo/src'), 'v1').catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'unauthorized', status: 401 })
      expect((error as Error).message).toContain('/token?')
      expectNoSecret(error)
    })
  })
})
