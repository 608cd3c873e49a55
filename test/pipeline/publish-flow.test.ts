import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { createScenario, readIndex } from '../support/scenario.ts'
import { postDistribution } from '../support/test-app.ts'

const ARCHES = [
  ['amd64', 'linux/amd64'],
  ['arm64', 'linux/arm64'],
  ['armv7', 'linux/arm/v7'],
] as const

describe('publish flow (fake registry)', () => {
  it('publishes a Docker manifest list and latest once the third arch arrives (separate repositories)', async () => {
    const s = createScenario()
    const images = []
    for (const [arch, platform] of ARCHES.slice(0, 2)) images.push(await s.push(`demo/app-${arch}`, 'v1.0.2', platform))
    await s.test.idle()
    expect(s.registry.getManifest('demo/app', 'v1.0.2')).toBeUndefined()
    const waiting = (await s.status()).images[0].versions[0]
    expect(waiting).toMatchObject({ version: 'v1.0.2', state: 'waiting', missing: ['linux/arm/v7'] })
    images.push(await s.push('demo/app-armv7', 'v1.0.2', 'linux/arm/v7'))
    await s.test.idle()

    const index = readIndex(s.registry, 'demo/app', 'v1.0.2')
    expect(index.storedMediaType).toBe(MEDIA_TYPES.dockerList)
    expect(index.manifests.map((m: any) => [m.digest, m.platform])).toEqual([
      [images[0]!.manifest.descriptor.digest, { architecture: 'amd64', os: 'linux' }],
      [images[1]!.manifest.descriptor.digest, { architecture: 'arm64', os: 'linux' }],
      [images[2]!.manifest.descriptor.digest, { architecture: 'arm', os: 'linux', variant: 'v7' }],
    ])
    // Children and their blobs were copied into the target repository before the index PUT.
    for (const image of images) {
      expect(s.registry.getManifest('demo/app', image.manifest.descriptor.digest)).toBeDefined()
      for (const blob of [image.config, ...image.layers]) expect(s.registry.hasBlob('demo/app', blob.descriptor.digest)).toBe(true)
    }
    const latest = s.registry.getManifest('demo/app', 'latest')!
    expect(await computeDigest(latest.bytes)).toBe(await computeDigest(s.registry.getManifest('demo/app', 'v1.0.2')!.bytes))
    const status = (await s.status()).images[0]
    expect(status.versions[0]).toMatchObject({ state: 'published', published: { digest: await computeDigest(latest.bytes), tags: ['v1.0.2'] } })
    expect(status.tags.latest).toMatchObject({ version: 'v1.0.2', pushed: ['registry.test/demo/app'] })
    expect(Object.keys(status.versions[0].arrived)).toEqual(ARCHES.map(([arch]) => `registry.test/demo/app-${arch}:v1.0.2`))
  })

  it('publishes suffix tags from the target repository without copying', async () => {
    const s = createScenario()
    const amd = await s.push('demo/suffix', 'v2.0.0-amd64', 'linux/amd64')
    const arm = await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    const index = readIndex(s.registry, 'demo/suffix', 'v2.0.0')
    expect(index.manifests.map((m: any) => m.digest)).toEqual([amd.manifest.descriptor.digest, arm.manifest.descriptor.digest])
    expect(readIndex(s.registry, 'demo/suffix', 'latest').manifests).toHaveLength(2)
    const posts = s.registry.requests.filter((r) => r.method === 'POST')
    expect(posts).toEqual([])
  })

  it('flattens buildx-style per-arch indexes and keeps their attestations (OCI index)', async () => {
    const s = createScenario()
    const amd = await s.push('demo/suffix', 'v3.0.0-amd64', 'linux/amd64', { attestation: true, format: 'oci' })
    const arm = await s.push('demo/suffix', 'v3.0.0-arm64', 'linux/arm64', { attestation: true, format: 'oci' })
    await s.test.idle()
    const index = readIndex(s.registry, 'demo/suffix', 'v3.0.0')
    expect(index.storedMediaType).toBe(MEDIA_TYPES.ociIndex)
    expect(index.manifests.map((m: any) => m.digest)).toEqual([
      amd.manifest.descriptor.digest,
      arm.manifest.descriptor.digest,
      amd.attestation!.manifest.descriptor.digest,
      arm.attestation!.manifest.descriptor.digest,
    ])
    expect(index.manifests[2]).toMatchObject({
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.manifest.descriptor.digest },
    })
  })

  it('copies buildx children and attestations across repositories', async () => {
    const s = createScenario()
    const pushed = []
    for (const [arch, platform] of ARCHES) pushed.push(await s.push(`demo/app-${arch}`, 'v1.1.0', platform, { attestation: true, format: 'oci' }))
    await s.test.idle()
    const index = readIndex(s.registry, 'demo/app', 'v1.1.0')
    expect(index.manifests).toHaveLength(6)
    for (const image of pushed) {
      expect(s.registry.getManifest('demo/app', image.attestation!.manifest.descriptor.digest)).toBeDefined()
      for (const blob of image.attestation!.blobs) expect(s.registry.hasBlob('demo/app', blob.descriptor.digest)).toBe(true)
    }
  })

  it('refuses a mislabeled arch, publishes nothing, and reports why', async () => {
    const s = createScenario()
    await s.push('demo/suffix', 'v4.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v4.0.0-arm64', 'linux/amd64', { seed: 'really amd64' })
    await s.test.idle()
    expect(s.registry.getManifest('demo/suffix', 'v4.0.0')).toBeUndefined()
    expect(s.registry.getManifest('demo/suffix', 'latest')).toBeUndefined()
    const version = (await s.status()).images[1].versions[0]
    expect(version.state).toBe('refused')
    expect(version.reason).toContain('linux/arm64: named for linux/arm64 but its image config says linux/amd64')
    expect(s.test.logs.some((l) => l.level === 'warn' && l.message === 'refused arch image')).toBe(true)
    // A corrected rebuild under the same tag recovers the version.
    await s.push('demo/suffix', 'v4.0.0-arm64', 'linux/arm64', { seed: 'fixed' })
    await s.test.idle()
    expect(readIndex(s.registry, 'demo/suffix', 'v4.0.0').manifests).toHaveLength(2)
  })

  it('never moves latest backwards or to a pre-release', async () => {
    const s = createScenario()
    const publish = async (version: string) => {
      await s.push('demo/suffix', `${version}-amd64`, 'linux/amd64')
      await s.push('demo/suffix', `${version}-arm64`, 'linux/arm64')
      await s.test.idle()
      return (await computeDigest(s.registry.getManifest('demo/suffix', version)!.bytes))
    }
    const latestDigest = async () => computeDigest(s.registry.getManifest('demo/suffix', 'latest')!.bytes)
    const v103 = await publish('v1.0.3')
    expect(await latestDigest()).toBe(v103)
    await publish('v1.0.2')
    expect(await latestDigest()).toBe(v103)
    await publish('v1.1.0-rc.1')
    expect(s.registry.getManifest('demo/suffix', 'v1.1.0-rc.1')).toBeDefined()
    expect(await latestDigest()).toBe(v103)
    const v110 = await publish('1.1.0')
    expect(await latestDigest()).toBe(v110)
  })
})

describe('publish flow with blob hints (distribution includereferences)', () => {
  it('uses the hinted config and blobs, with one request fewer per arch and the same result', async () => {
    const hinted = createScenario()
    const plain = createScenario()
    // With hints, the blob mounts start as soon as the manifest is read (beside the platform check)
    // and the child gets no HEAD in the target (it could only save the PUT); without, the mounts
    // come when the child is copied, after its HEAD.
    const started = new Map<unknown, string[]>([[hinted, []], [plain, []]])
    const children = new Map<unknown, string[]>([[hinted, []], [plain, []]])
    for (const s of [hinted, plain]) {
      s.registry.onRequest = (request) => {
        const url = new URL(request.url)
        started.get(s)!.push(`${request.method} ${url.pathname} ${url.searchParams.get('from') ?? ''}`)
        return undefined
      }
      for (const [arch, platform] of ARCHES) children.get(s)!.push((await s.push(`demo/app-${arch}`, 'v1.0.2', platform, { references: s === hinted })).manifest.descriptor.digest)
      await s.test.idle()
    }
    const firstOf = (s: unknown, i: number) => {
      const lines = started.get(s)!
      const mount = lines.findIndex((r) => r.endsWith(` demo/app-${ARCHES[i]![0]}`))
      const head = lines.findIndex((r) => r.startsWith(`HEAD /v2/demo/app/manifests/${children.get(s)![i]}`))
      if (head < 0) return mount >= 0 ? 'mount, no head' : 'neither'
      return mount >= 0 && mount < head ? 'mount' : 'head'
    }
    expect(ARCHES.map((_, i) => firstOf(hinted, i))).toEqual(['mount, no head', 'mount, no head', 'mount, no head'])
    expect(ARCHES.map((_, i) => firstOf(plain, i))).toEqual(['head', 'head', 'head'])
    // The hinted config is read beside the tag, not a round trip after it; unhinted, after it.
    const configFirst = (s: unknown, i: number) => {
      const lines = started.get(s)!
      const tag = lines.findIndex((r) => r.startsWith(`GET /v2/demo/app-${ARCHES[i]![0]}/manifests/v1.0.2`))
      const config = lines.findIndex((r) => r.startsWith(`GET /v2/demo/app-${ARCHES[i]![0]}/blobs/`))
      return config >= 0 && tag >= 0 && config < tag
    }
    expect(ARCHES.map((_, i) => configFirst(hinted, i))).toEqual([true, true, true])
    expect(ARCHES.map((_, i) => configFirst(plain, i))).toEqual([false, false, false])
    expect(readIndex(hinted.registry, 'demo/app', 'v1.0.2')).toEqual(readIndex(plain.registry, 'demo/app', 'v1.0.2'))
    const ours = (s: ReturnType<typeof createScenario>) => s.registry.requests.filter((r) => r.method !== 'PUT' || r.path.startsWith('/v2/demo/app/')).length
    expect(ours(hinted)).toBe(ours(plain) - ARCHES.length)
  })

  it('survives hints that do not match the manifest (they are only hints)', async () => {
    const s = createScenario()
    const bogus = { mediaType: MEDIA_TYPES.dockerConfig, digest: `sha256:${'e'.repeat(64)}`, size: 10 }
    const images = []
    for (const [arch, platform] of ARCHES) images.push(await s.push(`demo/app-${arch}`, 'v9.0.0', platform, { notify: false }))
    for (const [i, [arch]] of ARCHES.entries()) {
      const digest = images[i]!.manifest.descriptor.digest
      await postDistribution(s.test, [{ repository: `demo/app-${arch}`, tag: 'v9.0.0', digest, references: [bogus] }])
    }
    await s.test.idle()
    expect(readIndex(s.registry, 'demo/app', 'v9.0.0').manifests).toHaveLength(3)
    expect((await s.status()).images[0].versions[0].state).toBe('published')
    // The bogus config was asked for once per arch, beside the tag, and then left unused.
    expect(s.registry.requests.filter((r) => r.path.endsWith(`/blobs/${bogus.digest}`)).map((r) => r.method)).toEqual(['GET', 'GET', 'GET'])
  })

  it('still HEADs a child in the target when the hints name only some of its blobs', async () => {
    const s = createScenario()
    const images = []
    for (const [arch, platform] of ARCHES) images.push(await s.push(`demo/app-${arch}`, 'v9.2.0', platform, { notify: false }))
    for (const [i, [arch]] of ARCHES.entries()) {
      const image = images[i]!
      // The config and the first layer, not the second: the child's copy is not all under way early.
      const references = [image.config.descriptor, image.layers[0]!.descriptor]
      await postDistribution(s.test, [{ repository: `demo/app-${arch}`, tag: 'v9.2.0', digest: image.manifest.descriptor.digest, references }])
    }
    await s.test.idle()
    const heads = s.registry.requests.filter((r) => r.method === 'HEAD' && r.path.startsWith('/v2/demo/app/manifests/')).map((r) => `${r.path} ${r.status}`)
    expect(heads.sort()).toEqual(images.map((image) => `/v2/demo/app/manifests/${image.manifest.descriptor.digest} 404`).sort())
    expect(readIndex(s.registry, 'demo/app', 'v9.2.0').manifests).toHaveLength(3)
  })

  // Before, every hint was copied to every target before the manifest was read (one 473 KB delivery
  // with 1,000 references cost ~6,000 registry requests; the ledger now keeps at most 16 hints).
  it('costs nothing for hints the verified manifest does not name', async () => {
    const flooded = createScenario()
    const plain = createScenario()
    const bogus = Array.from({ length: 16 }, (_, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${i.toString(16).padStart(64, '0')}`, size: 10 }))
    for (const s of [flooded, plain]) {
      for (const [arch, platform] of ARCHES) {
        const image = await s.push(`demo/app-${arch}`, 'v9.1.0', platform, { notify: false })
        const digest = image.manifest.descriptor.digest
        const response = await postDistribution(s.test, [{ repository: `demo/app-${arch}`, tag: 'v9.1.0', digest, ...(s === flooded ? { references: bogus } : {}) }])
        expect(response.status).toBe(202)
      }
      await s.test.idle()
    }
    expect(readIndex(flooded.registry, 'demo/app', 'v9.1.0')).toEqual(readIndex(plain.registry, 'demo/app', 'v9.1.0'))
    expect(flooded.registry.requests.length).toBe(plain.registry.requests.length)
  })
})
