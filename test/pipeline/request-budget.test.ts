import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { createScenario } from '../support/scenario.ts'
import { postDistribution } from '../support/test-app.ts'

// Seed every arch first, then deliver the webhooks, so that only our own requests are counted.
async function seedThenNotify(s: ReturnType<typeof createScenario>, pushes: [string, string, string][]) {
  const images = []
  for (const [repository, tag, platform] of pushes) images.push(await s.push(repository, tag, platform, { notify: false }))
  s.registry.requests.length = 0
  for (const [i, [repository, tag]] of pushes.entries()) {
    const digest = images[i]!.manifest.descriptor.digest
    expect((await postDistribution(s.test, [{ repository, tag, digest }])).status).toBe(202)
  }
  await s.test.idle()
  return images
}

describe('registry requests per publish (fake registry)', () => {
  it('separate repositories, 3 arches, version + latest: 20 requests', async () => {
    const s = createScenario()
    const images = await seedThenNotify(s, [
      ['demo/app-amd64', 'v1.0.2', 'linux/amd64'],
      ['demo/app-arm64', 'v1.0.2', 'linux/arm64'],
      ['demo/app-armv7', 'v1.0.2', 'linux/arm/v7'],
    ])
    // Per arch: GET manifest, GET config, HEAD the child in the target (absent), a mount per blob
    // (config + 2 layers here), PUT child; then 2 index PUTs.
    const heads = images.map((image) => `HEAD /v2/demo/app/manifests/${image.manifest.descriptor.digest} 404`)
    expect(s.registry.requests.filter((r) => r.status >= 300 || r.method === 'HEAD').map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual(heads.sort())
    expect(s.registry.requests.length).toBe(3 * (1 + 1 + 1 + 3 + 1) + 2)
  })

  it('a second version whose children did not change costs one HEAD per child before the index PUTs', async () => {
    const s = createScenario()
    const arches: [string, string][] = [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']]
    await seedThenNotify(s, arches.map(([arch, platform]) => [`demo/app-${arch}`, 'v1.0.2', platform]))
    const before = s.registry.requests.length
    // The same images tagged v1.0.3 (a re-tag: same digests).
    for (const [arch] of arches) {
      const stored = s.registry.getManifest(`demo/app-${arch}`, 'v1.0.2')!
      await s.registry.putManifest(`demo/app-${arch}`, 'v1.0.3', stored.bytes, stored.mediaType)
      await postDistribution(s.test, [{ repository: `demo/app-${arch}`, tag: 'v1.0.3', digest: await computeDigest(stored.bytes), mediaType: stored.mediaType }])
    }
    await s.test.idle()
    const requests = s.registry.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/sha256:[0-9a-f]{64}/, 'sha256:…')} ${r.status}`)
    // Per arch: read the tag and the config (the platform check), one HEAD of the child in the target; then v1.0.3 and latest.
    const perArch = (arch: string) => [`GET /v2/demo/app-${arch}/manifests/v1.0.3 200`, `GET /v2/demo/app-${arch}/blobs/sha256:… 200`, 'HEAD /v2/demo/app/manifests/sha256:… 200']
    expect(requests.sort()).toEqual([...arches.flatMap(([arch]) => perArch(arch)), 'PUT /v2/demo/app/manifests/v1.0.3 201', 'PUT /v2/demo/app/manifests/latest 201'].sort())
  })

  it('same repository (suffix tags), 2 arches: GET manifest + GET config per arch, then 2 PUTs', async () => {
    const s = createScenario()
    await seedThenNotify(s, [
      ['demo/suffix', 'v1.0.2-amd64', 'linux/amd64'],
      ['demo/suffix', 'v1.0.2-arm64', 'linux/arm64'],
    ])
    expect(s.registry.requests.map((r) => `${r.method} ${r.path}`)).toHaveLength(2 * 2 + 2)
  })

  it('redeliveries, our own index pushes and pulls cost no registry request at all', async () => {
    const s = createScenario()
    const images = await seedThenNotify(s, [
      ['demo/suffix', 'v1.0.2-amd64', 'linux/amd64'],
      ['demo/suffix', 'v1.0.2-arm64', 'linux/arm64'],
    ])
    const before = s.registry.requests.length
    const indexDigest = await computeDigest(s.registry.getManifest('demo/suffix', 'v1.0.2')!.bytes)
    const response = await postDistribution(s.test, [
      { repository: 'demo/suffix', tag: 'v1.0.2-amd64', digest: images[0]!.manifest.descriptor.digest },
      { repository: 'demo/suffix', tag: 'v1.0.2', digest: indexDigest, mediaType: MEDIA_TYPES.dockerList },
      { repository: 'demo/suffix', tag: 'latest', digest: indexDigest, mediaType: MEDIA_TYPES.dockerList },
      { repository: 'demo/suffix', digest: images[1]!.manifest.descriptor.digest },
      { repository: 'demo/suffix', tag: 'v1.0.2-arm64', action: 'pull' },
    ])
    await s.test.idle()
    expect(await response.json()).toEqual({
      accepted: [expect.objectContaining({ version: 'v1.0.2', platform: 'linux/amd64', duplicate: true })],
      ignored: [
        { reason: 'own publish (target repository)', repository: 'demo/suffix', tag: 'v1.0.2' },
        { reason: 'own publish (target repository)', repository: 'demo/suffix', tag: 'latest' },
        { reason: 'push by digest (no tag)', repository: 'demo/suffix' },
        { reason: 'action "pull"', repository: 'demo/suffix', tag: 'v1.0.2-arm64' },
      ],
    })
    expect(s.registry.requests.length).toBe(before)
  })
})
