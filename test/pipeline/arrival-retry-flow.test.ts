import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { sweep } from '../../src/pipeline/sweep.ts'
import { createScenario, readIndex, requestsDuring } from '../support/scenario.ts'
import { postDistribution } from '../support/test-app.ts'

type S = ReturnType<typeof createScenario>
const versionStatus = async (s: S, version: string) => (await s.status()).images[1].versions.find((v: any) => v.version === version)
const latestOf = (s: S) => computeDigest(s.registry.getManifest('demo/suffix', 'latest')!.bytes)

describe('arrivals are resolved by what the tag names, with bounded retries (fake registry)', () => {
  it('a delivery naming a tag never pushed publishes nothing; the genuine push afterwards publishes and moves latest', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00.000Z') }
    const s = createScenario({}, { clock })
    const amd = await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    const published = await latestOf(s)
    // v2.0.0 was never pushed: the delivery carries the digests of v1.0.0's children.
    const arm = s.registry.getManifest('demo/suffix', 'v1.0.0-arm64')!
    await postDistribution(s.test, [
      { repository: 'demo/suffix', tag: 'v2.0.0-amd64', digest: amd.manifest.descriptor.digest },
      { repository: 'demo/suffix', tag: 'v2.0.0-arm64', digest: await computeDigest(arm.bytes) },
    ])
    await s.test.idle()
    expect(s.registry.getManifest('demo/suffix', 'v2.0.0')).toBeUndefined()
    expect(await latestOf(s)).toBe(published)
    expect(await versionStatus(s, 'v2.0.0')).toMatchObject({ state: 'waiting', pending: ['linux/amd64', 'linux/arm64'], attempts: { 'linux/amd64': { attempts: 1, retryAt: '2026-11-27T12:00:00.000Z', unresolvable: false } } })
    clock.now = new Date('2026-11-27T12:00:30.000Z')
    await s.push('demo/suffix', 'v2.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    expect(await versionStatus(s, 'v2.0.0')).toMatchObject({ state: 'published' })
    expect(await latestOf(s)).toBe(await computeDigest(s.registry.getManifest('demo/suffix', 'v2.0.0')!.bytes))
  })

  it('a delivery whose digest is not what the tag names publishes what the tag names, never the delivered digest', async () => {
    const s = createScenario()
    const old = await s.push('demo/suffix', 'v1.1.0-amd64', 'linux/amd64', { seed: 'old', notify: false })
    const current = await s.push('demo/suffix', 'v1.1.0-amd64', 'linux/amd64', { seed: 'current', notify: false })
    await s.push('demo/suffix', 'v1.1.0-arm64', 'linux/arm64')
    await postDistribution(s.test, [{ repository: 'demo/suffix', tag: 'v1.1.0-amd64', digest: old.manifest.descriptor.digest }])
    await s.test.idle()
    const children = readIndex(s.registry, 'demo/suffix', 'v1.1.0').manifests.map((m: any) => m.digest)
    expect(children).toContain(current.manifest.descriptor.digest)
    expect(children).not.toContain(old.manifest.descriptor.digest)
  })

  it('300 bogus tags in one delivery: bounded requests per sweep with backoff, then unresolvable, then none', async () => {
    const clock = { now: new Date('2026-11-27T12:00:00.000Z') }
    const s = createScenario({ server: { adminToken: 'admin-token', unresolvableAfterAttempts: 3 } }, { clock })
    await sweep(s.test.deps) // the first listing, before the delivery
    const digest = `sha256:${'d'.repeat(64)}`
    const tags = Array.from({ length: 300 }, (_, i) => `bogus${i}-amd64`)
    // The first attempt asks again twice (the tag link may lag its event); a retry asks once.
    const first = tags.flatMap((tag) => [`GET /v2/demo/suffix/manifests/${tag}`, `HEAD /v2/demo/suffix/manifests/${tag}`, `HEAD /v2/demo/suffix/manifests/${tag}`]).sort()
    const attempt = tags.map((tag) => `GET /v2/demo/suffix/manifests/${tag}`).sort()
    const delivered = await requestsDuring(s, () => postDistribution(s.test, tags.map((tag) => ({ repository: 'demo/suffix', tag, digest }))))
    expect(delivered.sort()).toEqual(first)
    // The next sweep retries once; the one after that waits for the backoff (a minute).
    expect((await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).sort()).toEqual(attempt)
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual([])
    clock.now = new Date('2026-11-27T12:00:59.999Z')
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual([])
    clock.now = new Date('2026-11-27T12:01:00.000Z')
    expect((await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).sort()).toEqual(attempt)
    const status = await versionStatus(s, 'bogus7')
    expect(status).toMatchObject({ state: 'unresolvable', unresolvable: ['linux/amd64'], attempts: { 'linux/amd64': { attempts: 3, unresolvable: true } } })
    clock.now = new Date('2026-11-27T20:00:00.000Z')
    expect(await requestsDuring(s, () => sweep(s.test.deps, { full: false }))).toEqual([])
    // A full sweep lists the source repositories' tags (finding nothing new) and asks nothing else.
    const listings = ['demo/app-amd64', 'demo/app-arm64', 'demo/app-armv7', 'demo/suffix'].map((repo) => `GET /v2/${repo}/tags/list`)
    expect((await requestsDuring(s, () => sweep(s.test.deps))).sort()).toEqual(listings)
    // A redelivery of the same bogus events changes nothing and costs nothing.
    expect(await requestsDuring(s, () => postDistribution(s.test, tags.slice(0, 5).map((tag) => ({ repository: 'demo/suffix', tag, digest }))))).toEqual([])
  })
})
