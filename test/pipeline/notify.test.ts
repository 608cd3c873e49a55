// Notifications to receivers on loopback: the Slack payload's shape, the Standard Webhooks
// signature checked with the spec's own algorithm, retries on 5xx, one message per outcome.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createScenario, HOST } from '../support/scenario.ts'

const SECRET = `whsec_${Buffer.from('a notification signing key, 32 b').toString('base64')}`
const SUFFIX = `${HOST}/demo/suffix`

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

// A receiver answering each request with the next status of `statuses` (then 200).
async function startReceiver(statuses: Record<string, number[]> = {}): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => void (body += chunk.toString('utf8')))
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body })
      response.writeHead(statuses[request.url ?? '']?.shift() ?? 200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server }
}

// The Standard Webhooks verification, written from the spec: HMAC-SHA256 keyed with the base64
// bytes after "whsec_", over "<webhook-id>.<webhook-timestamp>.<body>", compared with each "v1,<base64>".
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest()
  return String(headers['webhook-signature']).split(' ').some((entry) => {
    const [version, signature] = entry.split(',')
    const presented = Buffer.from(signature ?? '', 'base64')
    return version === 'v1' && presented.length === expected.length && timingSafeEqual(presented, expected)
  })
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

describe('notifications', () => {
  it('announces a publish once to Slack and to a signed webhook, retrying the webhook on 5xx', async () => {
    const receiver = await startReceiver({ '/hook': [503, 502] })
    servers.push(receiver.server)
    const s = createScenario({
      notifications: [
        { type: 'slack', url: `${receiver.url}/slack` },
        { type: 'webhook', url: `${receiver.url}/hook`, secret: SECRET },
        { type: 'slack', url: `${receiver.url}/app-only`, images: [`${HOST}/demo/app`] },
      ],
    }, { clock: { now: new Date() } })
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    const published = (await s.status()).images[1].versions[0].published

    const slack = receiver.received.filter((r) => r.path === '/slack')
    expect(slack).toHaveLength(1)
    const text = `${SUFFIX}:v1.0.0 published (digest ${published.digest}; tags v1.0.0)`
    expect(JSON.parse(slack[0]!.body)).toEqual({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${SUFFIX}:v1.0.0* published (digest ${published.digest}; tags v1.0.0)` } }] })
    expect(slack[0]!.headers['content-type']).toBe('application/json')

    const hooks = receiver.received.filter((r) => r.path === '/hook')
    expect(hooks).toHaveLength(3)
    expect(new Set(hooks.map((h) => h.headers['webhook-id'])).size).toBe(1)
    expect(hooks[0]!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/)
    for (const hook of hooks) {
      expect(verifyStandardWebhook(SECRET, hook.headers, hook.body)).toBe(true)
      expect(Math.abs(Number(hook.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60)
    }
    expect(verifyStandardWebhook(`whsec_${Buffer.from('another key').toString('base64')}`, hooks[2]!.headers, hooks[2]!.body)).toBe(false)
    expect(verifyStandardWebhook(SECRET, hooks[2]!.headers, hooks[2]!.body.replace('v1.0.0', 'v1.0.1'))).toBe(false)
    expect(JSON.parse(hooks[2]!.body)).toEqual({
      type: 'version.published',
      timestamp: published.at,
      data: { image: SUFFIX, version: 'v1.0.0', digest: published.digest, tags: ['v1.0.0'] },
    })
    expect(receiver.received.filter((r) => r.path === '/app-only')).toEqual([])
    expect(JSON.stringify(receiver.received)).not.toContain(SECRET.slice(6))

    // Redeliveries and a full sweep raise the same outcome again: nothing more is sent.
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    expect((await s.test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin-token' } })).status).toBe(200)
    await s.test.idle()
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/hook', '/hook', '/hook', '/slack'])
  }, 20_000)

  it('announces a refused arch with its reason, once, and gives up after 4 attempts on a receiver that keeps failing', async () => {
    const receiver = await startReceiver({ '/hook': [500, 500, 500, 500, 500] })
    servers.push(receiver.server)
    const s = createScenario({
      notifications: [
        { type: 'slack', url: `${receiver.url}/slack`, events: ['refused'] },
        { type: 'webhook', url: `${receiver.url}/hook`, secret: SECRET, events: ['refused'] },
      ],
    }, { clock: { now: new Date() } })
    await s.push('demo/suffix', 'v2.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/amd64', { seed: 'really-amd' })
    await s.test.idle()
    await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/amd64', { seed: 'really-amd' })
    await s.test.idle()
    const slack = receiver.received.filter((r) => r.path === '/slack')
    expect(slack.map((r) => JSON.parse(r.body).text)).toEqual([
      `${SUFFIX}:v2.0.0 has a refused arch (platform linux/arm64; reason: named for linux/arm64 but its image config says linux/amd64)`,
    ])
    const hooks = receiver.received.filter((r) => r.path === '/hook')
    expect(hooks).toHaveLength(4)
    expect(JSON.parse(hooks[0]!.body).data).toEqual({ image: SUFFIX, version: 'v2.0.0', platform: 'linux/arm64', reason: 'named for linux/arm64 but its image config says linux/amd64' })
    expect(s.test.logs.filter((l) => l.message === 'notification not delivered; gave up').map((l) => l.fields.attempts)).toEqual([4])
  }, 20_000)

  it('announces a version gone stale at its deadline, with the missing platforms, once', async () => {
    const receiver = await startReceiver()
    servers.push(receiver.server)
    const clock = { now: new Date() }
    const s = createScenario({
      images: [{ target: SUFFIX, from: `${HOST}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'], deadline: { seconds: 60, action: 'stale' } }],
      notifications: [{ type: 'webhook', url: `${receiver.url}/hook`, secret: SECRET }],
    }, { clock })
    await s.push('demo/suffix', 'v3.0.0-amd64', 'linux/amd64')
    await s.test.idle()
    clock.now = new Date(clock.now.getTime() + 120_000)
    for (let i = 0; i < 2; i++) {
      expect((await s.test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin-token' } })).status).toBe(200)
      await s.test.idle()
    }
    expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([
      { type: 'version.stale', timestamp: clock.now.toISOString(), data: { image: SUFFIX, version: 'v3.0.0', missing: ['linux/arm64'] } },
    ])
  }, 20_000)

  it('refuses a channel naming an unknown image or a secret that is not whsec_ base64', async () => {
    expect(() => createScenario({ notifications: [{ type: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'plain', images: ['nope/app'] }] })).toThrow(
      /notifications\.0\.images\.0: "nope\/app" is not the target of a configured image[\s\S]*notifications\.0\.secret: a Standard Webhooks secret is "whsec_" and base64/,
    )
  })
})
