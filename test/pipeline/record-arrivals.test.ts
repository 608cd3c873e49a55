// recordArrivals on its own (the half of ingestion a Workers image object runs): arrivals from
// another invocation are checked against this configuration before anything is recorded.
import { describe, expect, it } from 'vitest'
import { recordArrivals } from '../../src/pipeline/ingest-delivery.ts'
import type { WorkItem } from '../../src/pipeline/work-item.ts'
import { listKeys } from '../../src/state/store.ts'
import { HOST, scenarioConfig } from '../support/scenario.ts'
import { createTestApp } from '../support/test-app.ts'

const image = `${HOST}/demo/app`
const arrival = (platform: string) => ({ image, version: 'v1.0.0', platform, source: `${image}-x:v1.0.0`, receivedAt: '2026-11-27T12:00:00.000Z' })

function createDeps() {
  const test = createTestApp(scenarioConfig(), { fetch: async () => new Response(null, { status: 404 }) })
  const queued: WorkItem[] = []
  return { deps: { ...test.deps, work: { enqueue: async (item: WorkItem) => void queued.push(item) } }, queued }
}

describe('recordArrivals', () => {
  it('records each arrival once and queues one process item per version', async () => {
    const { deps, queued } = createDeps()
    const accepted = await recordArrivals(deps, [arrival('linux/amd64'), arrival('linux/arm64'), arrival('linux/amd64')])
    expect(accepted.map((a) => [a.platform, a.duplicate])).toEqual([['linux/amd64', false], ['linux/arm64', false], ['linux/amd64', true]])
    expect(queued).toEqual([{ kind: 'process', image, version: 'v1.0.0' }, { kind: 'recover', image, skip: ['v1.0.0'] }])
  })

  it('records nothing when one arrival names an image or platform this configuration does not have', async () => {
    const { deps, queued } = createDeps()
    await expect(recordArrivals(deps, [arrival('linux/amd64'), arrival('linux/s390x')])).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no configured image "${image}" has the platform "linux/s390x"` })
    await expect(recordArrivals(deps, [{ ...arrival('linux/amd64'), image: `${HOST}/demo/gone` }])).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect([await listKeys(deps.store, `version/${image}/`), await listKeys(deps.store, `recent/${image}/`), queued]).toEqual([[], [], []])
  })
})
