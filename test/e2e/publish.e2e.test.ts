// End to end, against real parts only: Debian's distribution registry notifies our Node server,
// skopeo pushes per-arch images, and skopeo / docker read back what we published.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { dockerManifestInspect } from '../support/docker-cli.ts'
import { startE2EStack, type E2EStack } from '../support/e2e-stack.ts'
import { pushImage, skopeoInspect, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools, itWithTools } from '../support/tools.ts'

const APP_ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64', inspect: { arch: 'amd64' } },
  { arch: 'arm64', platform: 'linux/arm64', inspect: { arch: 'arm64' } },
  { arch: 'armv7', platform: 'linux/arm/v7', inspect: { arch: 'arm', variant: 'v7' } },
] as const

describeWithTools(['docker-registry', 'skopeo'], 'e2e: registry webhook in, multi-arch index out', () => {
  let stack: E2EStack
  const app = () => `${stack.host}/demo/app`
  const suffix = () => `${stack.host}/demo/suffix`
  const published = (v: any) => v.state === 'published'
  // `published` is recorded when the version's own tags are in; the moving tags are pushed beside
  // them by the same task, so wait for that task before reading `latest`.
  const waitForPublished = async (image: string, version: string) => {
    const status = await stack.waitForVersion(image, version, published)
    await stack.server.idle()
    return status
  }

  beforeAll(async () => {
    stack = await startE2EStack()
  })
  afterAll(async () => {
    await stack?.stop()
  })

  async function pushSuffixVersion(version: string, options: { attestation?: boolean } = {}) {
    const amd = await pushImage(`${suffix()}:${version}-amd64`, { platform: 'linux/amd64', seed: `${version}-amd`, ...options })
    const arm = await pushImage(`${suffix()}:${version}-arm64`, { platform: 'linux/arm64', seed: `${version}-arm`, ...options })
    return { amd, arm, status: await waitForPublished(suffix(), version) }
  }

  it('publishes v1.0.2 and latest from separate per-arch repositories', async () => {
    const pushed = []
    for (const { arch, platform } of APP_ARCHES) pushed.push(await pushImage(`${app()}-${arch}:v1.0.2`, { platform, seed: `app-${arch}` }))
    const status = await waitForPublished(app(), 'v1.0.2')
    expect(status.published.mediaType).toBe(MEDIA_TYPES.dockerList)
    for (const tag of ['v1.0.2', 'latest']) {
      const raw = await skopeoInspectRaw(`${app()}:${tag}`)
      expect(raw.digest).toBe(status.published.digest)
      expect(raw.json.manifests.map((m: any) => m.digest)).toEqual(pushed.map((p) => p.manifestDigest))
      for (const [i, { inspect }] of APP_ARCHES.entries()) {
        const picked = await skopeoInspect(`${app()}:${tag}`, inspect)
        expect(picked).toMatchObject({ architecture: inspect.arch, os: 'linux', configDigest: pushed[i]!.configDigest })
        if ('variant' in inspect) expect(picked.variant).toBe(inspect.variant)
      }
    }
  }, 60_000)

  itWithTools(['docker-registry', 'skopeo', 'docker'], 'docker manifest inspect --insecure lists every platform', async () => {
    const list = await dockerManifestInspect(`${app()}:v1.0.2`)
    expect(list.mediaType).toBe(MEDIA_TYPES.dockerList)
    expect(list.manifests.map((m: any) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux' },
      { architecture: 'arm', os: 'linux', variant: 'v7' },
    ])
  }, 30_000)

  it('publishes suffix tags whose per-arch pushes are buildx-style indexes, keeping attestations', async () => {
    const { amd, arm, status } = await pushSuffixVersion('v1.0.2', { attestation: true })
    expect(amd.mediaType).toBe(MEDIA_TYPES.ociIndex)
    expect(status.published.mediaType).toBe(MEDIA_TYPES.ociIndex)
    const raw = await skopeoInspectRaw(`${suffix()}:v1.0.2`)
    const images = raw.json.manifests.filter((m: any) => m.platform.os !== 'unknown')
    const attestations = raw.json.manifests.filter((m: any) => m.platform.os === 'unknown')
    expect(images.map((m: any) => m.digest)).toEqual([amd.manifestDigest, arm.manifestDigest])
    expect(attestations.map((m: any) => m.annotations['vnd.docker.reference.digest'])).toEqual([amd.manifestDigest, arm.manifestDigest])
    for (const tag of ['v1.0.2', 'latest']) {
      expect(await skopeoInspect(`${suffix()}:${tag}`, { arch: 'amd64' })).toMatchObject({ architecture: 'amd64', configDigest: amd.configDigest })
      expect(await skopeoInspect(`${suffix()}:${tag}`, { arch: 'arm64' })).toMatchObject({ architecture: 'arm64', configDigest: arm.configDigest })
    }
  }, 60_000)

  it('leaves latest alone when an older version or a pre-release is published afterwards', async () => {
    const newer = await pushSuffixVersion('v1.0.3')
    expect((await skopeoInspectRaw(`${suffix()}:latest`)).digest).toBe(newer.status.published.digest)
    const older = await pushSuffixVersion('v1.0.1')
    expect((await skopeoInspectRaw(`${suffix()}:v1.0.1`)).digest).toBe(older.status.published.digest)
    expect((await skopeoInspectRaw(`${suffix()}:latest`)).digest).toBe(newer.status.published.digest)
    const rc = await pushSuffixVersion('v1.1.0-rc.1')
    expect((await skopeoInspectRaw(`${suffix()}:v1.1.0-rc.1`)).digest).toBe(rc.status.published.digest)
    expect((await skopeoInspectRaw(`${suffix()}:latest`)).digest).toBe(newer.status.published.digest)
  }, 90_000)

  it('publishes nothing for a version with a mislabeled arch and says why', async () => {
    await pushImage(`${suffix()}:v2.0.0-amd64`, { platform: 'linux/amd64', seed: 'v2-amd' })
    await pushImage(`${suffix()}:v2.0.0-arm64`, { platform: 'linux/amd64', seed: 'v2-really-amd' })
    const status = await stack.waitForVersion(suffix(), 'v2.0.0', (v) => v.state === 'refused')
    expect(status.reason).toContain('linux/arm64: named for linux/arm64 but its image config says linux/amd64')
    await expect(skopeoInspectRaw(`${suffix()}:v2.0.0`)).rejects.toThrow()
    expect((await stack.status()).images[1].tags.latest.version).toBe('v1.0.3')
  }, 60_000)
})
