import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { markTagUnpushed, type ImageState } from '../../src/core/image-state.ts'
import { runScheduledSweep } from '../../src/pipeline/scheduled-sweep.ts'
import { sweep } from '../../src/pipeline/sweep.ts'
import { loadSweepRecord } from '../../src/pipeline/sweep-record.ts'
import { createMemoryStore } from '../../src/state/memory-store.ts'
import { imageKey } from '../../src/state/store.ts'
import { updateState } from '../../src/state/update-state.ts'
import { buildFakeReferrer, seedFakeReferrer } from '../support/fake-images.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createScenario, HOST, readIndex, requestsDuring, scenarioConfig } from '../support/scenario.ts'
import { createTestApp } from '../support/test-app.ts'

type S = ReturnType<typeof createScenario>
const publishSuffix = async (s: S, version: string) => {
  await s.push('demo/suffix', `${version}-amd64`, 'linux/amd64')
  await s.push('demo/suffix', `${version}-arm64`, 'linux/arm64')
  await s.test.idle()
}
const digestOf = (s: S, repository: string, tag: string) => computeDigest(s.registry.getManifest(repository, tag)!.bytes)

describe('light and full sweeps (fake registry)', () => {
  it('a light sweep asks the registry nothing when every version is published and every tag pushed', async () => {
    const s = createScenario()
    await publishSuffix(s, 'v1.0.0')
    await publishSuffix(s, 'v1.1.0')
    let report
    expect(await requestsDuring(s, async () => (report = await sweep(s.test.deps, { full: false })))).toEqual([])
    expect(report).toEqual({ full: false, versionsDiscovered: 0, versionsChecked: 2, versionsProcessed: 0, referrersCopied: 0, failures: 0 })
    // The full sweep HEADs both arch tags and the version tag of each version, and latest.
    const full = await requestsDuring(s, () => sweep(s.test.deps))
    expect(full.filter((r) => r.startsWith('HEAD '))).toHaveLength(2 * (2 + 1) + 1)
  })

  it('a light sweep HEADs only the arch tag a recent version lacks, and publishes it (a lost webhook)', async () => {
    const s = createScenario()
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64', { notify: false })
    await s.test.idle()
    const requests = await requestsDuring(s, () => sweep(s.test.deps, { full: false }))
    expect(requests.filter((r) => r.startsWith('HEAD '))).toEqual(['HEAD /v2/demo/suffix/manifests/v1.0.0-arm64'])
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0').manifests).toHaveLength(2)
  })

  it('a light sweep HEADs for a missing arch during the hour after the last change, a full one during the reconcile window', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({ server: { adminToken: 'admin-token', reconcileWindowHours: 24 } }, { clock })
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.test.idle()
    const head = ['HEAD /v2/demo/suffix/manifests/v1.0.0-arm64']
    clock.now = new Date('2026-11-27T12:50:00Z')
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual(head)
    clock.now = new Date('2026-11-27T13:10:00Z')
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual([])
    expect((await requestsDuring(s, () => sweep(s.test.deps))).filter((r) => r.startsWith('HEAD '))).toEqual(expect.arrayContaining(head))
    clock.now = new Date('2026-11-28T12:10:00Z')
    expect((await requestsDuring(s, () => sweep(s.test.deps))).filter((r) => !r.endsWith('/tags/list'))).toEqual([])
  })

  it('a light sweep loads only the versions created within reconcileWindowHours; a full one loads them all', async () => {
    const clock = { now: new Date('2026-11-25T12:00:00Z') }
    const s = createScenario({ server: { adminToken: 'admin-token', reconcileWindowHours: 24 } }, { clock })
    await publishSuffix(s, 'v1.0.0')
    await s.push('demo/suffix', 'v1.1.0-amd64', 'linux/amd64')
    clock.now = new Date('2026-11-27T12:00:00Z')
    await publishSuffix(s, 'v1.2.0')
    await s.test.idle()
    expect(await sweep(s.test.deps, { full: false })).toMatchObject({ versionsChecked: 1 })
    expect(await sweep(s.test.deps)).toMatchObject({ versionsChecked: 3 })
  })

  it('a light sweep pushes a moving tag the ledger marks unpushed; only a full one finds a tag overwritten behind our back', async () => {
    const s = createScenario()
    await publishSuffix(s, 'v1.0.0')
    const good = await digestOf(s, 'demo/suffix', 'v1.0.0')
    const amd = s.registry.getManifest('demo/suffix', 'v1.0.0-amd64')!
    await s.registry.putManifest('demo/suffix', 'latest', amd.bytes, amd.mediaType)
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual([])
    await updateState<ImageState>(s.test.deps.store, imageKey(`${HOST}/demo/suffix`), (state) => state && markTagUnpushed(state, 'latest', `${HOST}/demo/suffix`))
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual(['PUT /v2/demo/suffix/manifests/latest'])
    expect(await digestOf(s, 'demo/suffix', 'latest')).toBe(good)

    await s.registry.putManifest('demo/suffix', 'latest', amd.bytes, amd.mediaType)
    await sweep(s.test.deps)
    expect(await digestOf(s, 'demo/suffix', 'latest')).toBe(good)
  })

  it('copies a late signature in a light sweep within the hour after publishing, later only in a full one', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({}, { clock })
    const images: Awaited<ReturnType<S['push']>>[] = []
    for (const [arch, platform] of [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const) {
      images.push(await s.push(`demo/app-${arch}`, 'v3.0.0', platform))
    }
    await s.test.idle()
    const sign = async (i: number, tool: string) => {
      const subject = images[i]!.manifest.descriptor
      const signature = await buildFakeReferrer(subject, tool)
      await seedFakeReferrer(s.registry, `demo/app-${['amd64', 'arm64', 'armv7'][i]}`, subject.digest, signature)
      return signature.manifest.descriptor.digest
    }
    clock.now = new Date('2026-11-27T12:30:00Z')
    const early = await sign(1, 'cosign')
    expect((await sweep(s.test.deps, { full: false })).referrersCopied).toBe(1)
    expect(s.registry.getManifest('demo/app', early)).toBeDefined()

    clock.now = new Date('2026-11-27T14:00:00Z')
    const late = await sign(0, 'notation')
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual([])
    expect((await sweep(s.test.deps)).referrersCopied).toBe(1)
    expect(s.registry.getManifest('demo/app', late)).toBeDefined()
  })

  it('the periodic sweep is full at first and then once per reconcileIntervalSeconds, a pace kept in the store across restarts', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const store = createMemoryStore()
    const config = scenarioConfig({ server: { adminToken: 'admin-token', reconcileIntervalSeconds: 900 } })
    const start = () => createTestApp(config, { fetch: createFakeRegistry({ host: HOST }).fetch, store, now: () => clock.now })
    let app = start()
    const scheduledFull = async (test: ReturnType<typeof start>) => {
      await runScheduledSweep(test.deps)
      await test.idle()
      return (await loadSweepRecord(test.deps))?.scheduled?.full
    }
    const fullAt = async (minute: number) => {
      clock.now = new Date(Date.parse('2026-11-27T12:00:00Z') + minute * 60_000)
      return scheduledFull(app)
    }
    expect([await fullAt(0), await fullAt(1), await fullAt(14), await fullAt(15), await fullAt(16)]).toEqual([true, false, false, true, false])
    app = start()
    expect([await fullAt(17), await fullAt(31)]).toEqual([false, true])
    // POST /reconcile is a full sweep too, and sets the pace.
    expect((await app.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin-token' } })).status).toBe(200)
    expect(await fullAt(32)).toBe(false)
    // A clock set back (the last full sweep seems to be in the future) gets a full sweep.
    expect(await fullAt(-60)).toBe(true)

    const every = createTestApp(scenarioConfig({ server: { adminToken: 'admin-token', reconcileIntervalSeconds: 0 } }), { fetch: createFakeRegistry({ host: HOST }).fetch })
    expect([await scheduledFull(every), await scheduledFull(every)]).toEqual([true, true])
  })

  it('GET /status shows the last sweep and when the last full one ran', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00Z') }
    const s = createScenario({}, { clock })
    await publishSuffix(s, 'v1.0.0')
    await sweep(s.test.deps)
    clock.now = new Date('2026-11-27T12:01:00Z')
    await sweep(s.test.deps, { full: false })
    expect((await s.status()).sweep).toEqual({
      last: { at: '2026-11-27T12:01:00.000Z', full: false, versionsDiscovered: 0, versionsChecked: 1, versionsProcessed: 0, referrersCopied: 0, failures: 0 },
      lastFullAt: '2026-11-27T12:00:00.000Z',
      discoveryCursor: 0,
    })
  })
})
