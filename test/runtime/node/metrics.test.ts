// GET /metrics on the Node server, parsed as Prometheus text: the values move as a scenario runs
// (deliveries, publishes, refusals, registry requests, latest delay, sweeps, work waiting).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.ts'
import { parsePlatform } from '../../../src/core/platform.ts'
import type { LogFields, Logger } from '../../../src/log.ts'
import { createNodeMetrics } from '../../../src/runtime/node/metrics.ts'
import { startNodeServer } from '../../../src/runtime/node/node-server.ts'
import { buildFakeImage, seedFakeImage } from '../../support/fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from '../../support/fake-registry.ts'
import { parsePrometheusText, readSample } from '../../support/prometheus-text.ts'
import { ADMIN_TOKEN, HOST, scenarioConfig } from '../../support/scenario.ts'
import { distributionBody, TOKEN } from '../../support/test-app.ts'

const dir = mkdtempSync(join(tmpdir(), 'mh-metrics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const IMAGE = `${HOST}/demo/suffix`
const EVENTS = { 'content-type': 'application/vnd.docker.distribution.events.v1+json' }

function createRecordingLog(): Logger & { lines: { message: string; fields: LogFields }[] } {
  const lines: { message: string; fields: LogFields }[] = []
  const record = (message: string, fields: LogFields = {}) => void lines.push({ message, fields })
  return { lines, debug: record, info: record, warn: record, error: record }
}

async function push(registry: FakeRegistry, url: string, tag: string, platform: string, token = TOKEN): Promise<number> {
  const image = await buildFakeImage({ platform: parsePlatform(platform)!, seed: `suffix:${tag}`, format: 'docker' })
  const digest = await seedFakeImage(registry, 'demo/suffix', tag, image)
  const body = distributionBody([{ repository: 'demo/suffix', tag, digest, mediaType: image.manifest.descriptor.mediaType }])
  return (await fetch(`${url}/webhooks/distribution`, { method: 'POST', headers: { ...EVENTS, authorization: `Bearer ${token}` }, body })).status
}

// The fake registry's own record of what it answered, grouped as the metric labels them.
function countRecorded(registry: FakeRegistry): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of registry.requests) counts[`${r.method} ${Math.floor(r.status / 100)}xx`] = (counts[`${r.method} ${Math.floor(r.status / 100)}xx`] ?? 0) + 1
  return counts
}

function countScraped(families: ReturnType<typeof parsePrometheusText>): Record<string, number> {
  const samples = families.get('manifest_hook_registry_requests_total')?.samples ?? []
  return Object.fromEntries(samples.map((s) => [`${s.labels.method} ${s.labels.status_class}`, s.value]))
}

describe('GET /metrics (Node)', () => {
  it('exposes the catalog in the text format, and the values follow deliveries, publishes and refusals', async () => {
    const registry = createFakeRegistry({ host: HOST })
    const log = createRecordingLog()
    const config = parseConfig(scenarioConfig({ images: [scenarioConfig().images[1]], server: { adminToken: ADMIN_TOKEN, sweepIntervalSeconds: 0 } }))
    const server = await startNodeServer({ config, dataPath: join(dir, 'state.db'), port: 0, log, fetch: registry.fetch })
    const scrape = async () => {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
      return parsePrometheusText(await response.text())
    }
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
      await server.idle()
      const start = await scrape()
      expect([...start.values()].map((f) => [f.name, f.type])).toEqual([
        ['manifest_hook_deliveries_total', 'counter'],
        ['manifest_hook_publishes_total', 'counter'],
        ['manifest_hook_refusals_total', 'counter'],
        ['manifest_hook_failures_total', 'counter'],
        ['manifest_hook_registry_requests_total', 'counter'],
        ['manifest_hook_latest_delay_seconds', 'histogram'],
        ['manifest_hook_sweep_duration_seconds', 'histogram'],
        ['manifest_hook_work_waiting', 'gauge'],
      ])
      // The start-up sweep (full: no full sweep on record) ran once; nothing is waiting.
      expect(readSample(start, 'manifest_hook_sweep_duration_seconds_count', { full: 'true' })).toBe(1)
      expect(readSample(start, 'manifest_hook_work_waiting')).toBe(0)
      expect(readSample(start, 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'accepted' })).toBeUndefined()

      expect(await push(registry, server.url, 'v1.0.0-amd64', 'linux/amd64')).toBe(202)
      expect(await push(registry, server.url, 'v1.0.0-arm64', 'linux/arm64')).toBe(202)
      expect(await push(registry, server.url, 'v1.0.0-arm64', 'linux/arm64', 'wrong')).toBe(401)
      await server.idle()
      const published = await scrape()
      expect(readSample(published, 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'accepted' })).toBe(2)
      expect(readSample(published, 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'unauthorized' })).toBe(1)
      expect(readSample(published, 'manifest_hook_publishes_total', { image: IMAGE, kind: 'complete' })).toBe(1)
      expect(readSample(published, 'manifest_hook_latest_delay_seconds_count')).toBe(1)
      expect(readSample(published, 'manifest_hook_refusals_total', { image: IMAGE, platform: 'linux/arm64' })).toBeUndefined()
      expect(countScraped(published)).toEqual(countRecorded(registry))
      expect(countScraped(published)['PUT 2xx']).toBeGreaterThan(0)

      // An arch named arm64 whose config says amd64 is refused and counted.
      expect(await push(registry, server.url, 'v1.1.0-amd64', 'linux/amd64')).toBe(202)
      const lying = await buildFakeImage({ platform: parsePlatform('linux/amd64')!, seed: 'suffix:lying', format: 'docker' })
      const digest = await seedFakeImage(registry, 'demo/suffix', 'v1.1.0-arm64', lying)
      const body = distributionBody([{ repository: 'demo/suffix', tag: 'v1.1.0-arm64', digest, mediaType: lying.manifest.descriptor.mediaType }])
      expect((await fetch(`${server.url}/webhooks/distribution`, { method: 'POST', headers: { ...EVENTS, authorization: `Bearer ${TOKEN}` }, body })).status).toBe(202)
      await server.idle()
      const refused = await scrape()
      expect(readSample(refused, 'manifest_hook_refusals_total', { image: IMAGE, platform: 'linux/arm64' })).toBe(1)
      expect(readSample(refused, 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'accepted' })).toBe(4)
      expect(readSample(refused, 'manifest_hook_publishes_total', { image: IMAGE, kind: 'complete' })).toBe(1)
      expect(countScraped(refused)).toEqual(countRecorded(registry))

      // The log: one line per delivery and one per publish, with the time of each phase.
      const deliveries = log.lines.filter((l) => l.message === 'delivery')
      expect(deliveries.map((l) => [l.fields.source, l.fields.outcome, l.fields.status])).toEqual([
        ['distribution', 'accepted', 202], ['distribution', 'accepted', 202], ['distribution', 'unauthorized', 401],
        ['distribution', 'accepted', 202], ['distribution', 'accepted', 202],
      ])
      for (const line of deliveries) {
        expect(line.fields.deliveryId).toMatch(/^[0-9a-f-]{36}$/)
        expect(line.fields.durationMs).toBeTypeOf('number')
      }
      const publishes = log.lines.filter((l) => l.message === 'publish')
      expect(publishes).toHaveLength(1)
      expect(publishes[0]?.fields).toMatchObject({ image: IMAGE, version: 'v1.0.0', tags: ['v1.0.0'], targets: [IMAGE], partial: false })
      expect(publishes[0]?.fields.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(Object.keys(publishes[0]?.fields.phases as object)).toEqual(['resolveMs', 'copyMs', 'pushMs'])
    } finally {
      await server.close()
    }
  })
})

describe('node metrics counters', () => {
  it('count every event once, however often and in whatever label order they are scraped', async () => {
    const node = createNodeMetrics({ waiting: () => 0 })
    const scrape = async () => parsePrometheusText((await node.render()).text)
    for (let i = 0; i < 3; i++) node.metrics.count('deliveries', { source: 'distribution', outcome: 'ignored' })
    node.metrics.count('deliveries', { outcome: 'accepted', source: 'distribution' })
    const first = await scrape()
    expect(readSample(first, 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'ignored' })).toBe(3)
    expect(readSample(first, 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'accepted' })).toBe(1)
    expect(readSample(await scrape(), 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'ignored' })).toBe(3)
    node.metrics.count('deliveries', { outcome: 'ignored', source: 'distribution' })
    expect(readSample(await scrape(), 'manifest_hook_deliveries_total', { source: 'distribution', outcome: 'ignored' })).toBe(4)
  })
})
