// A version whose index PUT keeps failing: each attempt counts as a publish failure, and the third
// one announces "failing", once.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import type { CounterName, HistogramName, Metrics } from '../../src/metrics.ts'
import { createScenario, HOST } from '../support/scenario.ts'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

function createRecordingMetrics(): Metrics & { counts: string[] } {
  const counts: string[] = []
  return {
    counts,
    count: (name: CounterName, labels) => void counts.push(`${name} ${JSON.stringify(labels)}`),
    observe: (_name: HistogramName) => {},
  }
}

it('counts every failed publish attempt and announces the third one as failing, once', async () => {
  const bodies: string[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => void (body += chunk.toString('utf8')))
    request.on('end', () => void (bodies.push(body), response.writeHead(204).end()))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack`
  const s = createScenario({ notifications: [{ type: 'slack', url, events: ['failing'] }] }, { clock: { now: new Date() } })
  const metrics = createRecordingMetrics()
  s.test.deps.metrics = metrics
  s.registry.onRequest = (request) => (request.method === 'PUT' && new URL(request.url).pathname === '/v2/demo/suffix/manifests/v1.0.0' ? new Response('down', { status: 500 }) : undefined)
  await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
  // Each redelivery of the last arch runs the version again: 4 publish attempts in all.
  for (let attempt = 0; attempt < 4; attempt++) {
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
  }
  const version = (await s.status()).images[1].versions[0]
  expect(version.lastError.attempts).toBe(4)
  expect(metrics.counts.filter((c) => c.startsWith('failures'))).toEqual(Array(4).fill(`failures {"image":"${HOST}/demo/suffix","stage":"publish"}`))
  expect(metrics.counts.filter((c) => c.startsWith('publishes'))).toEqual([])
  expect(bodies.map((b) => JSON.parse(b).text)).toEqual([`${HOST}/demo/suffix:v1.0.0 keeps failing (3 attempts; reason: ${version.lastError.message})`])
}, 30_000)
