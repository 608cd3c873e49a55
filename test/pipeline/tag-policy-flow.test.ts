import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createScenario, HOST, readIndex } from '../support/scenario.ts'
import { postDistribution } from '../support/test-app.ts'

type S = ReturnType<typeof createScenario>

const suffixImage = (extra: Record<string, unknown>) => ({
  images: [{ target: `${HOST}/demo/suffix`, from: `${HOST}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'], ...extra }],
})

async function publish(s: S, version: string, options: { labels?: Record<string, string> } = {}) {
  await s.push('demo/suffix', `${version}-amd64`, 'linux/amd64', { seed: `${version}-amd`, ...options })
  await s.push('demo/suffix', `${version}-arm64`, 'linux/arm64', { seed: `${version}-arm`, ...options })
  await s.test.idle()
}

const digestOf = async (s: S, repository: string, tag: string) => {
  const stored = s.registry.getManifest(repository, tag)
  return stored ? computeDigest(stored.bytes) : undefined
}

describe('tag policy (fake registry)', () => {
  it('moves floating tags within their line and pushes per-version extra tags', async () => {
    const s = createScenario(suffixImage({ tags: { floating: ['{major}', '{major}.{minor}'], extra: ['{version}-multiarch', 'edge'] } }))
    await publish(s, 'v1.2.0')
    await publish(s, 'v2.0.0')
    await publish(s, 'v1.3.0')
    await publish(s, 'v1.2.5')
    const at = async (tag: string) => digestOf(s, 'demo/suffix', tag)
    expect(await at('latest')).toBe(await at('v2.0.0'))
    expect(await at('2')).toBe(await at('v2.0.0'))
    expect(await at('1')).toBe(await at('v1.3.0'))
    expect(await at('1.2')).toBe(await at('v1.2.5'))
    expect(await at('1.3')).toBe(await at('v1.3.0'))
    expect(await at('edge')).toBe(await at('v1.2.5'))
    expect(await at('v1.2.5-multiarch')).toBe(await at('v1.2.5'))
    const status = (await s.status()).images[0]
    expect(status.tags['1']).toMatchObject({ version: 'v1.3.0', pushed: [`${HOST}/demo/suffix`] })
    expect(status.versions.find((v: any) => v.version === 'v1.2.5').published.tags).toEqual(['v1.2.5', 'v1.2.5-multiarch'])
  })

  it('never moves floating tags or latest to a pre-release', async () => {
    const s = createScenario(suffixImage({ tags: { floating: ['{major}'] } }))
    await publish(s, '1.0.0')
    await publish(s, '1.1.0-rc.1')
    expect(await digestOf(s, 'demo/suffix', '1')).toBe(await digestOf(s, 'demo/suffix', '1.0.0'))
    expect(await digestOf(s, 'demo/suffix', 'latest')).toBe(await digestOf(s, 'demo/suffix', '1.0.0'))
  })

  it('moves latest to non-semver versions only when asked to', async () => {
    const never = createScenario(suffixImage({}))
    await publish(never, 'nightly-20261127')
    expect(never.registry.getManifest('demo/suffix', 'latest')).toBeUndefined()
    const last = createScenario(suffixImage({ tags: { nonSemver: 'last-published' } }))
    await publish(last, 'nightly-20261127')
    await publish(last, 'nightly-20261128')
    expect(await digestOf(last, 'demo/suffix', 'latest')).toBe(await digestOf(last, 'demo/suffix', 'nightly-20261128'))
  })

  it('publishes to several targets (a mirror on another registry) from one set of sources', async () => {
    const mirror = createFakeRegistry({ host: 'mirror.test' })
    const s = createScenario(suffixImage({ target: [`${HOST}/demo/suffix`, 'mirror.test/copies/app'] }), { mirrors: [mirror] })
    await publish(s, 'v3.0.0')
    const digest = await digestOf(s, 'demo/suffix', 'v3.0.0')
    const mirrored = mirror.getManifest('copies/app', 'v3.0.0')!
    expect(await computeDigest(mirrored.bytes)).toBe(digest)
    expect(await computeDigest(mirror.getManifest('copies/app', 'latest')!.bytes)).toBe(digest)
    for (const entry of JSON.parse(new TextDecoder().decode(mirrored.bytes)).manifests) expect(mirror.getManifest('copies/app', entry.digest)).toBeDefined()
    const status = (await s.status()).images[0]
    expect(status.versions[0].published.targets.sort()).toEqual(['mirror.test/copies/app', `${HOST}/demo/suffix`])
  })

  it('annotates an OCI index from the children and the config, and protects children with tags', async () => {
    const s = createScenario(suffixImage({ indexMediaType: 'oci', annotations: { 'org.opencontainers.image.version': '{version}', team: 'platform' }, childTags: 'child-{version}-{arch}' }))
    const labels = { 'org.opencontainers.image.source': 'https://git.example/app', 'org.opencontainers.image.revision': 'abc123' }
    await s.push('demo/suffix', 'v4.0.0-amd64', 'linux/amd64', { labels: { ...labels, 'org.opencontainers.image.created': '2026-11-27T10:00:00Z' } })
    await s.push('demo/suffix', 'v4.0.0-arm64', 'linux/arm64', { labels: { ...labels, 'org.opencontainers.image.created': '2026-11-27T10:05:00Z', 'org.opencontainers.image.revision': 'def456' } })
    await s.test.idle()
    const index = readIndex(s.registry, 'demo/suffix', 'v4.0.0')
    expect(index.storedMediaType).toBe(MEDIA_TYPES.ociIndex)
    expect(index.annotations).toEqual({
      'org.opencontainers.image.created': '2026-11-27T10:05:00Z',
      'org.opencontainers.image.source': 'https://git.example/app',
      'org.opencontainers.image.version': 'v4.0.0',
      team: 'platform',
    })
    expect(s.registry.getManifest('demo/suffix', 'child-v4.0.0-amd64')).toBeDefined()
    expect(s.registry.getManifest('demo/suffix', 'child-v4.0.0-arm64')).toBeDefined()
  })
})

describe('Windows children (fake registry)', () => {
  it('carries os.version into the index and leaves foreign layers where they are', async () => {
    const platforms = [{ platform: 'windows/amd64', arch: 'win' }, { platform: 'linux/amd64', arch: 'amd64' }]
    const s = createScenario({ images: [{ target: `${HOST}/demo/win`, from: `${HOST}/demo/win-{arch}:{version}`, platforms }] })
    const win = await buildFakeImage({ platform: { os: 'windows', architecture: 'amd64' }, seed: 'win', format: 'docker', osVersion: '10.0.20348.2227' })
    const lin = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'lin', format: 'docker' })
    for (const [arch, image] of [['win', win], ['amd64', lin]] as const) {
      const digest = await seedFakeImage(s.registry, `demo/win-${arch}`, 'v1.0.0', image)
      expect((await postDistribution(s.test, [{ repository: `demo/win-${arch}`, tag: 'v1.0.0', digest }])).status).toBe(202)
    }
    await s.test.idle()
    const index = readIndex(s.registry, 'demo/win', 'v1.0.0')
    expect(index.manifests.map((m: any) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2227' },
      { architecture: 'amd64', os: 'linux' },
    ])
    expect(win.foreignLayers).toHaveLength(1)
    expect(s.registry.hasBlob('demo/win', win.foreignLayers[0]!.digest)).toBe(false)
    expect(s.registry.requests.some((r) => r.query.includes(encodeURIComponent(win.foreignLayers[0]!.digest)))).toBe(false)
  })
})
