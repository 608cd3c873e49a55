import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { buildFakeReferrer, seedFakeReferrer } from '../support/fake-images.ts'
import { ADMIN_TOKEN, createScenario, HOST, readIndex } from '../support/scenario.ts'
import { postDistribution } from '../support/test-app.ts'

type S = ReturnType<typeof createScenario>
const reconcile = async (s: S) => {
  const response = await s.test.request('/reconcile', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  await s.test.idle()
  return response.json()
}
const versionStatus = async (s: S, image: number, version: string) => (await s.status()).images[image].versions.find((v: any) => v.version === version)

describe('rebuilds, lost webhooks and reconciliation (fake registry)', () => {
  it('replaces a rebuilt arch in the published index, never listing a platform twice', async () => {
    const s = createScenario()
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64', { seed: 'first' })
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    const rebuilt = await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64', { seed: 'rebuilt' })
    await s.test.idle()
    const index = readIndex(s.registry, 'demo/suffix', 'v1.0.0')
    expect(index.manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    expect(index.manifests[0].digest).toBe(rebuilt.manifest.descriptor.digest)
    expect(await computeDigest(s.registry.getManifest('demo/suffix', 'latest')!.bytes)).toBe(await computeDigest(s.registry.getManifest('demo/suffix', 'v1.0.0')!.bytes))
  })

  it('ignores an older delivery that arrives after a newer one for the same tag', async () => {
    const s = createScenario()
    const old = await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64', { seed: 'old', notify: false })
    const fresh = await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64', { seed: 'new', at: '2026-11-27T10:00:02Z' })
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    await postDistribution(s.test, [{ repository: 'demo/suffix', tag: 'v1.0.0-amd64', digest: old.manifest.descriptor.digest, timestamp: '2026-11-27T10:00:01.5Z' }])
    await s.test.idle()
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0').manifests[0].digest).toBe(fresh.manifest.descriptor.digest)
  })

  it('recovers a lost webhook with POST /reconcile (HEAD of the arch tag)', async () => {
    const s = createScenario()
    await s.push('demo/app-amd64', 'v2.0.0', 'linux/amd64')
    await s.push('demo/app-arm64', 'v2.0.0', 'linux/arm64')
    await s.push('demo/app-armv7', 'v2.0.0', 'linux/arm/v7', { notify: false })
    await s.test.idle()
    expect((await versionStatus(s, 0, 'v2.0.0')).state).toBe('waiting')
    const report = await reconcile(s)
    expect(report).toMatchObject({ versionsChecked: 1, versionsProcessed: 1, failures: 0 })
    expect((await versionStatus(s, 0, 'v2.0.0')).state).toBe('published')
    expect(readIndex(s.registry, 'demo/app', 'v2.0.0').manifests).toHaveLength(3)
  })

  it('recovers a lost webhook when a later version of the image starts arriving', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({}, { clock })
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64', { notify: false })
    await s.test.idle()
    // Seconds later the version is not suspect yet (its other arch is probably still building)...
    clock.now = new Date('2026-11-27T12:00:30Z')
    await s.push('demo/suffix', 'v1.1.0-amd64', 'linux/amd64')
    await s.test.idle()
    expect((await versionStatus(s, 1, 'v1.0.0')).state).toBe('waiting')
    // ...an hour later, the next version starting finds the arch whose webhook was lost.
    clock.now = new Date('2026-11-27T13:00:00Z')
    await s.push('demo/suffix', 'v1.2.0-amd64', 'linux/amd64')
    await s.test.idle()
    expect((await versionStatus(s, 1, 'v1.0.0')).state).toBe('published')
  })

  it('costs only HEAD requests when nothing changed', async () => {
    const s = createScenario()
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    const before = s.registry.requests.length
    await reconcile(s)
    // Besides HEADs: referrer lookups (404: none) and the tag listings that look for unannounced versions.
    const requests = s.registry.requests.slice(before).filter((r) => !r.path.endsWith('/tags/list'))
    const methods = requests.map((r) => `${r.method} ${r.status}`)
    expect(methods.filter((m) => !m.startsWith('HEAD ')).every((m) => m === 'GET 404')).toBe(true)
    expect(methods.filter((m) => m.startsWith('HEAD '))).toHaveLength(2 + 1 + 1)
  })

  it('puts back a version tag and latest that someone overwrote', async () => {
    const s = createScenario()
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    const good = await computeDigest(s.registry.getManifest('demo/suffix', 'v1.0.0')!.bytes)
    const amd = s.registry.getManifest('demo/suffix', 'v1.0.0-amd64')!
    await s.registry.putManifest('demo/suffix', 'v1.0.0', amd.bytes, amd.mediaType)
    await s.registry.putManifest('demo/suffix', 'latest', amd.bytes, amd.mediaType)
    await reconcile(s)
    expect(await computeDigest(s.registry.getManifest('demo/suffix', 'v1.0.0')!.bytes)).toBe(good)
    expect(await computeDigest(s.registry.getManifest('demo/suffix', 'latest')!.bytes)).toBe(good)
  })

  it('copies referrers (signatures) of each child to the target, keeping the referrers tag up to date', async () => {
    const s = createScenario()
    const images = []
    for (const [arch, platform] of [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const) {
      images.push(await s.push(`demo/app-${arch}`, 'v3.0.0', platform))
    }
    await s.test.idle()
    const subject = images[1]!.manifest.descriptor
    const signature = await buildFakeReferrer(subject, 'cosign')
    await seedFakeReferrer(s.registry, 'demo/app-arm64', subject.digest, signature)
    const report = await reconcile(s)
    expect(report.referrersCopied).toBe(1)
    expect(s.registry.getManifest('demo/app', signature.manifest.descriptor.digest)).toBeDefined()
    const fallback = readIndex(s.registry, 'demo/app', subject.digest.replace(':', '-'))
    expect(fallback.manifests).toEqual([expect.objectContaining({ digest: signature.manifest.descriptor.digest, artifactType: 'application/vnd.example.signature.v1+json' })])
    expect((await reconcile(s)).referrersCopied).toBe(0)
  })

  it('publishes the arches present when the deadline passes, then republishes when the rest arrive', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({ images: [{ target: `${HOST}/demo/suffix`, from: `${HOST}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'], deadline: { seconds: 600, action: 'publish-partial' } }] }, { clock })
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.test.idle()
    await reconcile(s)
    expect(s.registry.getManifest('demo/suffix', 'v1.0.0')).toBeUndefined()
    clock.now = new Date('2026-11-27T12:10:01Z')
    await reconcile(s)
    const partial = await versionStatus(s, 0, 'v1.0.0')
    expect(partial).toMatchObject({ state: 'partial', missing: ['linux/arm64'], deadline: { action: 'publish-partial' }, published: { partial: true } })
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0').manifests).toHaveLength(1)
    expect(s.registry.getManifest('demo/suffix', 'latest')).toBeUndefined()
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    expect((await versionStatus(s, 0, 'v1.0.0')).state).toBe('published')
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0').manifests).toHaveLength(2)
    expect(readIndex(s.registry, 'demo/suffix', 'latest').manifests).toHaveLength(2)
  })

  it('marks a version stale when the deadline passes, if so configured', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({ images: [{ target: `${HOST}/demo/suffix`, from: `${HOST}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'], deadline: { seconds: 60, action: 'stale' } }] }, { clock })
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.test.idle()
    clock.now = new Date('2026-11-27T12:02:00Z')
    await reconcile(s)
    expect(await versionStatus(s, 0, 'v1.0.0')).toMatchObject({ state: 'stale', missing: ['linux/arm64'] })
    expect(s.registry.getManifest('demo/suffix', 'v1.0.0')).toBeUndefined()
  })

  it('sweeps one image with POST /reconcile?image=, leaving the others and the sweep record alone; 404 for an unknown image', async () => {
    const s = createScenario()
    await s.push('demo/app-amd64', 'v2.0.0', 'linux/amd64')
    await s.push('demo/app-arm64', 'v2.0.0', 'linux/arm64')
    await s.push('demo/app-armv7', 'v2.0.0', 'linux/arm/v7', { notify: false })
    await s.push('demo/suffix', 'v2.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/arm64', { notify: false })
    await s.test.idle()
    const post = (query: string) => s.test.request(`/reconcile${query}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    const response = await post(`?image=${encodeURIComponent(`${HOST}/demo/suffix`)}`)
    await s.test.idle()
    expect(await response.json()).toMatchObject({ full: true, versionsChecked: 1, versionsProcessed: 1, failures: 0 })
    expect((await versionStatus(s, 1, 'v2.0.0')).state).toBe('published')
    expect((await versionStatus(s, 0, 'v2.0.0')).state).toBe('waiting')
    expect((await s.status()).sweep).toBeUndefined()
    const unknown = await post('?image=registry.test/demo/nope')
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe('NOT_FOUND')
  })

  it('answers POST /reconcile only with the admin token, and not at all without one configured', async () => {
    const s = createScenario({ server: { adminToken: 'admin' } })
    expect((await s.test.request('/reconcile', { method: 'POST' })).status).toBe(401)
    expect((await s.test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401)
    expect((await s.test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin' } })).status).toBe(200)
    const open = createScenario({ server: {} })
    const refused = await open.test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin' } })
    expect(refused.status).toBe(403)
    expect((await refused.json()).error.code).toBe('FORBIDDEN')
  })
})

describe('bounded cost of looking for lost webhooks', () => {
  it('a delivery costs O(1) registry requests however many other versions are waiting', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({}, { clock })
    for (let i = 0; i < 50; i++) await s.push('demo/suffix', `v1.0.${i}-amd64`, 'linux/amd64')
    await s.test.idle()
    clock.now = new Date('2026-11-27T13:00:00Z')
    s.registry.requests.length = 0
    await s.push('demo/suffix', 'v2.0.0-amd64', 'linux/amd64', { notify: false })
    const seeding = s.registry.requests.length
    await postDistribution(s.test, [{ repository: 'demo/suffix', tag: 'v2.0.0-amd64' }])
    await s.test.idle()
    // A new version: GET manifest + GET config, plus one HEAD for the missing arch of each of the 3 newest waiting versions.
    expect(s.registry.requests.length - seeding).toBeLessThanOrEqual(2 + 3)
    s.registry.requests.length = 0
    await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/arm64', { notify: false })
    const before = s.registry.requests.length
    await postDistribution(s.test, [{ repository: 'demo/suffix', tag: 'v2.0.0-arm64', digest: await computeDigest(s.registry.getManifest('demo/suffix', 'v2.0.0-arm64')!.bytes) }])
    await s.test.idle()
    // A further arch of a known version looks for nothing else: GET manifest, GET config, 2 index PUTs.
    expect(s.registry.requests.length - before).toBe(4)
  })
})
