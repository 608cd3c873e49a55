// The Worker's side of recording (runtime/workers/arrival-router.ts) through the webhook route,
// with in-process stand-ins for the image objects: each receives its arrivals as JSON, validates
// them and records them as the object does (recordArrivals on a store of its own).
import { describe, expect, it } from 'vitest'
import type { Deps } from '../../../src/deps.ts'
import { recordArrivals, type MatchedArrival } from '../../../src/pipeline/ingest-delivery.ts'
import type { WorkItem } from '../../../src/pipeline/work-item.ts'
import { createArrivalRouter } from '../../../src/runtime/workers/arrival-router.ts'
import { parseArrivals } from '../../../src/runtime/workers/arrivals-input.ts'
import { versionKey } from '../../../src/state/store.ts'
import { HOST, scenarioConfig } from '../../support/scenario.ts'
import { createTestApp, postDistribution } from '../../support/test-app.ts'

const DIGEST = `sha256:${'a'.repeat(64)}`
const app = `${HOST}/demo/app`
const suffix = `${HOST}/demo/suffix`

function createHarness(fail: (image: string) => boolean) {
  const test = createTestApp(scenarioConfig(), { fetch: async () => new Response(null, { status: 404 }) })
  const queued: WorkItem[] = []
  const calls: { image: string; platforms: string[] }[] = []
  let inFlight = 0
  let maxInFlight = 0
  const objectDeps: Deps = { ...test.deps, work: { enqueue: async (item) => void queued.push(item) } }
  test.deps.arrivals = createArrivalRouter(
    (image) => ({
      async recordArrivals(arrivals: MatchedArrival[]) {
        calls.push({ image, platforms: arrivals.map((a) => a.platform) })
        maxInFlight = Math.max(maxInFlight, ++inFlight)
        // The app's object answers last: the webhook waits for it even when the other failed.
        await new Promise((resolve) => setTimeout(resolve, image === app ? 20 : 1))
        inFlight--
        if (fail(image)) throw new Error('object overloaded')
        return recordArrivals(objectDeps, parseArrivals(JSON.parse(JSON.stringify(arrivals))))
      },
    }),
    test.deps.log,
  )
  const deliver = () =>
    postDistribution(test, [
      { repository: 'demo/app-amd64', tag: 'v1.0.0', digest: DIGEST },
      { repository: 'demo/suffix', tag: 'v2.0.0-arm64', digest: DIGEST },
      { repository: 'demo/other', tag: 'v1' },
      { repository: 'demo/app-arm64', tag: 'v1.0.0', digest: DIGEST },
    ])
  return { test, queued, calls, deliver, maxInFlight: () => maxInFlight }
}

const entry = (image: string, version: string, platform: string, source: string, duplicate: boolean) => ({ image, version, platform, source, duplicate })

describe('arrival router', () => {
  it('hands each image its arrivals in one call, all images at once, and answers with the report in delivery order', async () => {
    const h = createHarness(() => false)
    const response = await h.deliver()
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({
      accepted: [
        entry(app, 'v1.0.0', 'linux/amd64', `${HOST}/demo/app-amd64:v1.0.0`, false),
        entry(suffix, 'v2.0.0', 'linux/arm64', `${HOST}/demo/suffix:v2.0.0-arm64`, false),
        entry(app, 'v1.0.0', 'linux/arm64', `${HOST}/demo/app-arm64:v1.0.0`, false),
      ],
      ignored: [{ reason: 'unknown image: no configured image uses this repository', repository: 'demo/other', tag: 'v1' }],
    })
    expect(h.calls).toEqual([{ image: app, platforms: ['linux/amd64', 'linux/arm64'] }, { image: suffix, platforms: ['linux/arm64'] }])
    expect(h.maxInFlight()).toBe(2)
    expect(h.queued).toEqual([
      { kind: 'process', image: suffix, version: 'v2.0.0' },
      { kind: 'recover', image: suffix, skip: ['v2.0.0'] },
      { kind: 'process', image: app, version: 'v1.0.0' },
      { kind: 'recover', image: app, skip: ['v1.0.0'] },
    ])
  })

  it('answers 503 once every call has settled when one object fails, and a retry records the rest as duplicates', async () => {
    let failing = true
    const h = createHarness((image) => failing && image === suffix)
    const refused = await h.deliver()
    expect(refused.status).toBe(503)
    expect(await refused.json()).toEqual({ error: { code: 'ARRIVALS_NOT_STORED', message: `arrivals of ${suffix} were not stored; retry the delivery` } })
    expect(h.test.logs.filter((l) => l.level === 'error').map((l) => [l.message, l.fields.image])).toEqual([
      ['image object did not store its arrivals; the webhook is answered 503', suffix],
      ['request failed', undefined],
    ])
    // The other object finished before the answer.
    expect(Object.keys(((await h.test.deps.store.load(versionKey(app, 'v1.0.0')))?.value as any).arrivals).sort()).toEqual(['linux/amd64', 'linux/arm64'])
    failing = false
    const retried = await h.deliver()
    expect(retried.status).toBe(202)
    expect(((await retried.json()) as any).accepted.map((a: any) => [a.image, a.platform, a.duplicate])).toEqual([
      [app, 'linux/amd64', true],
      [suffix, 'linux/arm64', false],
      [app, 'linux/arm64', true],
    ])
  })
})
