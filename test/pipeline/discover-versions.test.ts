import { describe, expect, it } from 'vitest'
import { sweep } from '../../src/pipeline/sweep.ts'
import { createScenario, HOST, readIndex } from '../support/scenario.ts'

type S = ReturnType<typeof createScenario>
// Both arches of demo/suffix pushed with every webhook lost.
const pushUnannounced = async (s: S, version: string) => {
  await s.push('demo/suffix', `${version}-amd64`, 'linux/amd64', { notify: false })
  await s.push('demo/suffix', `${version}-arm64`, 'linux/arm64', { notify: false })
}
const tagLists = (s: S) => s.registry.requests.filter((r) => r.path.endsWith('/tags/list'))

describe('versions no webhook announced (full sweep, fake registry)', () => {
  it('leaves the tags there at the first listing alone, then publishes a version whose webhooks were all lost', async () => {
    const s = createScenario()
    await pushUnannounced(s, 'v1.0.0')
    expect(await sweep(s.test.deps)).toMatchObject({ versionsDiscovered: 0, failures: 0 })
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0')).toBeUndefined()

    await pushUnannounced(s, 'v1.1.0')
    expect(await sweep(s.test.deps)).toMatchObject({ versionsDiscovered: 1, versionsProcessed: 1, failures: 0 })
    expect(readIndex(s.registry, 'demo/suffix', 'v1.1.0').manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    expect(readIndex(s.registry, 'demo/suffix', 'latest')).toEqual(readIndex(s.registry, 'demo/suffix', 'v1.1.0'))
    expect(s.test.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'found a version no webhook announced', fields: expect.objectContaining({ version: 'v1.1.0' }) }))
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0')).toBeUndefined()
    expect((await sweep(s.test.deps)).versionsDiscovered).toBe(0)
  })

  it('lists each source repository once per full sweep, never in a light sweep, and not at all when discoverVersions is off', async () => {
    const s = createScenario()
    await sweep(s.test.deps)
    // demo/app reads demo/app-amd64, -arm64, -armv7; demo/suffix reads itself.
    expect(tagLists(s).map((r) => r.path).sort()).toEqual(['/v2/demo/app-amd64/tags/list', '/v2/demo/app-arm64/tags/list', '/v2/demo/app-armv7/tags/list', '/v2/demo/suffix/tags/list'])
    await sweep(s.test.deps, { full: false })
    expect(tagLists(s)).toHaveLength(4)

    const off = createScenario({ server: { adminToken: 'admin-token', discoverVersions: false } })
    await sweep(off.test.deps)
    await pushUnannounced(off, 'v1.0.0')
    expect(await sweep(off.test.deps)).toMatchObject({ versionsDiscovered: 0 })
    expect(tagLists(off)).toEqual([])
  })

  it('goes on with the sweep when a tag listing fails, and lists again next time', async () => {
    const s = createScenario()
    await sweep(s.test.deps)
    for (const [arch, platform] of [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const) {
      await s.push(`demo/app-${arch}`, 'v2.0.0', platform, { notify: false })
    }
    await pushUnannounced(s, 'v2.0.0')
    // demo/app's listings fail (every attempt) during one sweep.
    s.registry.onRequest = (request) => (new URL(request.url).pathname === '/v2/demo/app-amd64/tags/list' ? Response.json({ errors: [] }, { status: 503 }) : undefined)
    expect(await sweep(s.test.deps)).toMatchObject({ versionsDiscovered: 1, failures: 0 })
    s.registry.onRequest = undefined
    expect(s.test.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'could not list tags to look for unannounced versions' }))
    expect(readIndex(s.registry, 'demo/suffix', 'v2.0.0').manifests).toHaveLength(2)
    expect(readIndex(s.registry, 'demo/app', 'v2.0.0')).toBeUndefined()
    expect(await sweep(s.test.deps)).toMatchObject({ versionsDiscovered: 1, failures: 0 })
    expect(readIndex(s.registry, 'demo/app', 'v2.0.0').manifests).toHaveLength(3)
  })

  it('stops listing a registry for the rest of the sweep once a listing fails for good (it is down)', async () => {
    const images = Array.from({ length: 40 }, (_, i) => ({ target: `${HOST}/demo/many-${i}`, from: `${HOST}/demo/many-${i}:{version}-{arch}`, platforms: ['linux/amd64'] }))
    const s = createScenario({ images })
    s.registry.onRequest = (request) => (new URL(request.url).pathname.endsWith('/tags/list') ? Response.json({ errors: [] }, { status: 503 }) : undefined)
    expect(await sweep(s.test.deps)).toMatchObject({ failures: 0 })
    // Images are swept 8 at a time: at most the 8 already listing fail (2 attempts each), not all 40.
    expect(tagLists(s).length).toBeLessThanOrEqual(8 * 2)
    s.registry.onRequest = undefined
    const before = tagLists(s).length
    await sweep(s.test.deps)
    expect(tagLists(s).length - before).toBe(40)
  })

  it('lists at most discoverImagesPerSweep images per full sweep, going round the list from sweep to sweep', async () => {
    const images = Array.from({ length: 5 }, (_, i) => ({ target: `${HOST}/demo/many-${i}`, from: `${HOST}/demo/many-${i}:{version}-{arch}`, platforms: ['linux/amd64'] }))
    const s = createScenario({ images, server: { adminToken: 'admin-token', discoverImagesPerSweep: 2 } })
    const listedBy = async (run: () => Promise<unknown>) => {
      const before = tagLists(s).length
      await run()
      return tagLists(s).slice(before).map((r) => r.path.split('/')[3]).sort()
    }
    expect(await listedBy(() => sweep(s.test.deps))).toEqual(['many-0', 'many-1'])
    expect(await listedBy(() => sweep(s.test.deps))).toEqual(['many-2', 'many-3'])
    expect(await listedBy(() => sweep(s.test.deps, { full: false }))).toEqual([])
    expect(await listedBy(() => sweep(s.test.deps))).toEqual(['many-0', 'many-4'])
    // A sweep of one image on request lists it, and leaves the cursor where it was.
    expect(await listedBy(() => s.test.request(`/reconcile?image=${encodeURIComponent(`${HOST}/demo/many-3`)}`, { method: 'POST', headers: { authorization: 'Bearer admin-token' } }))).toEqual(['many-3'])
    expect(await listedBy(() => sweep(s.test.deps))).toEqual(['many-1', 'many-2'])
  })
})
