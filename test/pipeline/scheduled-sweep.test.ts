import { describe, expect, it } from 'vitest'
import type { Deps } from '../../src/deps.ts'
import { runWorkItem } from '../../src/pipeline/run-work-item.ts'
import { runScheduledSweep } from '../../src/pipeline/scheduled-sweep.ts'
import { loadSweepRecord } from '../../src/pipeline/sweep-record.ts'
import { parseWorkItem, type WorkItem } from '../../src/pipeline/work-item.ts'
import { createScenario, HOST, readIndex } from '../support/scenario.ts'

type S = ReturnType<typeof createScenario>

// Deps whose work items are collected (through JSON, as a runtime hands them on) instead of run.
function collecting(deps: Deps, budget: Partial<Deps['budget']> = {}): { deps: Deps; items: WorkItem[] } {
  const items: WorkItem[] = []
  const work = { enqueue: async (item: WorkItem) => void items.push(parseWorkItem(JSON.parse(JSON.stringify(item)))) }
  return { deps: { ...deps, work, budget: { ...deps.budget, ...budget } }, items }
}

// Runs items one call at a time, each call with its own budget, until none are left; returns every item run.
async function runToEnd(s: S, first: WorkItem[], budget: Partial<Deps['budget']> = {}): Promise<WorkItem[]> {
  const queue = [...first]
  const ran: WorkItem[] = []
  for (let item = queue.shift(); item; item = queue.shift()) {
    const call = collecting(s.test.deps, budget)
    await runWorkItem(call.deps, item)
    ran.push(item)
    queue.push(...call.items)
  }
  return ran
}

const images = (n: number) => Array.from({ length: n }, (_, i) => ({ target: `${HOST}/demo/many-${i}`, from: `${HOST}/demo/many-${i}:{version}-{arch}`, platforms: ['linux/amd64'] }))
const tagLists = (s: S) => s.registry.requests.filter((r) => r.path.endsWith('/tags/list'))

describe('scheduled sweeps in slices (fake registry)', () => {
  it('records the start and fans out one item per image, handing the rest of the fan-out on when the budget ends', async () => {
    const s = createScenario({ images: images(5), server: { adminToken: 'admin-token', discoverImagesPerSweep: 2 } })
    const first = collecting(s.test.deps, { requests: 2 })
    await runScheduledSweep(first.deps)
    const name = (i: number) => `${HOST}/demo/many-${i}`
    expect(first.items).toEqual([
      { kind: 'sweep', image: name(0), full: true, discover: true },
      { kind: 'sweep', image: name(1), full: true, discover: true },
      { kind: 'sweep', full: true, after: name(1) },
    ])
    expect(await loadSweepRecord(s.test.deps)).toEqual({ scheduled: { at: '2026-11-27T12:00:00.000Z', full: true, discoveryStart: 0 }, lastFullAt: '2026-11-27T12:00:00.000Z', discoveryCursor: 2 })
    const rest = collecting(s.test.deps, { requests: 2 })
    await runWorkItem(rest.deps, first.items[2] as WorkItem)
    expect(rest.items).toEqual([{ kind: 'sweep', image: name(2), full: true }, { kind: 'sweep', image: name(3), full: true }, { kind: 'sweep', full: true, after: name(3) }])
    // Everything run: each image listed once by the items that were told to.
    const ran = await runToEnd(s, first.items, { requests: 2 })
    expect(ran.filter((item) => 'image' in item && item.image !== undefined)).toHaveLength(5)
    expect(tagLists(s).map((r) => r.path.split('/')[3]).sort()).toEqual(['many-0', 'many-1'])
  })

  it("hands an image's sweep on after the last version it finished when its registry calls reach the budget, and ends as one call would", async () => {
    // Two identical histories: one swept in slices of one registry call, one in a single call.
    const setUp = async () => {
      const s = createScenario()
      for (const version of ['v1.0.0', 'v1.1.0', 'v1.2.0']) {
        await s.push('demo/suffix', `${version}-amd64`, 'linux/amd64')
        await s.push('demo/suffix', `${version}-arm64`, 'linux/arm64', { notify: version !== 'v1.2.0' })
      }
      await s.test.idle()
      expect(readIndex(s.registry, 'demo/suffix', 'v1.2.0')).toBeUndefined()
      return { s, before: s.registry.requests.length }
    }
    const image = `${HOST}/demo/suffix`
    const sliced = await setUp()
    const ran = await runToEnd(sliced.s, [{ kind: 'sweep', image, full: true }], { requests: 1 })
    // One version per call: each version's HEADs reach the budget of 1 registry call.
    expect(ran).toEqual([
      { kind: 'sweep', image, full: true },
      { kind: 'sweep', image, full: true, after: `version/${image}/v1.0.0` },
      { kind: 'sweep', image, full: true, after: `version/${image}/v1.1.0` },
    ])
    const whole = await setUp()
    await runToEnd(whole.s, [{ kind: 'sweep', image, full: true }])
    const asked = ({ s, before }: typeof sliced) => s.registry.requests.slice(before).map((r) => `${r.method} ${r.path}`).sort()
    expect(asked(sliced)).toEqual(asked(whole))
    expect(asked(sliced).filter((r) => r.startsWith('PUT '))).toEqual(['PUT /v2/demo/suffix/manifests/latest', 'PUT /v2/demo/suffix/manifests/v1.2.0'])
    for (const tag of ['v1.2.0', 'latest']) expect(readIndex(sliced.s.registry, 'demo/suffix', tag).manifests).toEqual(readIndex(whole.s.registry, 'demo/suffix', tag).manifests)
  })

  it('stops listing a registry found down for a minute across the items of a sweep, then lists it again', async () => {
    const s = createScenario({ images: images(40) })
    let now = Date.parse('2026-11-27T12:00:00Z')
    s.test.deps.now = () => new Date(now)
    s.registry.onRequest = (request) => (new URL(request.url).pathname.endsWith('/tags/list') ? Response.json({ errors: [] }, { status: 503 }) : undefined)
    await runToEnd(s, [{ kind: 'sweep', full: true }])
    // One image's listing failed (2 attempts); the other 39 items skipped the registry.
    expect(tagLists(s)).toHaveLength(2)
    s.registry.onRequest = undefined
    await runToEnd(s, [{ kind: 'sweep', full: true }])
    expect(tagLists(s)).toHaveLength(2)
    now += 60_000
    await runToEnd(s, [{ kind: 'sweep', full: true }])
    expect(tagLists(s)).toHaveLength(2 + 40)
  })
})
