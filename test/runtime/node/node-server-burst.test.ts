// A webhook burst larger than the Node server's deferred-work queue: the queue drops work, warns
// once, and the catch-up pass publishes every version from the store (fake registry, SQLite).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.ts'
import { parsePlatform } from '../../../src/core/platform.ts'
import type { Logger } from '../../../src/log.ts'
import { startNodeServer } from '../../../src/runtime/node/node-server.ts'
import { buildFakeImage, seedFakeImage } from '../../support/fake-images.ts'
import { createFakeRegistry } from '../../support/fake-registry.ts'
import { HOST, readIndex, scenarioConfig } from '../../support/scenario.ts'
import { distributionBody, TOKEN } from '../../support/test-app.ts'

const dir = mkdtempSync(join(tmpdir(), 'mh-burst-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const VERSIONS = Array.from({ length: 12 }, (_, i) => `v1.${i}.0`)
const ARCHES = [
  ['amd64', 'linux/amd64'],
  ['arm64', 'linux/arm64'],
] as const

function createRecordingLog(): Logger & { messages: string[] } {
  const messages: string[] = []
  const record = (message: string) => void messages.push(message)
  return { messages, debug: record, info: record, warn: record, error: record }
}

describe('Node server under a burst larger than its deferred-work queue', () => {
  it('drops work, warns, and still publishes every version through the catch-up pass', async () => {
    const registry = createFakeRegistry({ host: HOST })
    const deliveries: string[] = []
    for (const version of VERSIONS) {
      for (const [arch, platform] of ARCHES) {
        const image = await buildFakeImage({ platform: parsePlatform(platform)!, seed: `${version}-${arch}`, format: 'docker' })
        const digest = await seedFakeImage(registry, 'demo/suffix', `${version}-${arch}`, image)
        deliveries.push(distributionBody([{ repository: 'demo/suffix', tag: `${version}-${arch}`, digest }]))
      }
    }
    const log = createRecordingLog()
    const config = parseConfig(scenarioConfig({ images: [scenarioConfig().images[1]] }))
    const server = await startNodeServer({ config, dataPath: join(dir, 'state.db'), port: 0, log, fetch: registry.fetch, maxRunningTasks: 1, maxWaitingTasks: 2 })
    try {
      const headers = { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${TOKEN}` }
      const responses = await Promise.all(deliveries.map((body) => fetch(`${server.url}/webhooks/distribution`, { method: 'POST', headers, body })))
      expect(responses.map((r) => r.status)).toEqual(deliveries.map(() => 202))
      await server.idle()
      expect(log.messages.filter((m) => m.startsWith('deferred work queue full')).length).toBeGreaterThan(0)
      expect(log.messages).toContain('deferred work drained; catching up on the work it dropped')
      for (const version of VERSIONS) expect(readIndex(registry, 'demo/suffix', version)?.manifests).toHaveLength(2)
      expect(readIndex(registry, 'demo/suffix', 'latest')).toEqual(readIndex(registry, 'demo/suffix', VERSIONS.at(-1)!))
    } finally {
      await server.close()
    }
  })
})
