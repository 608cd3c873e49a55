import { describe, expect, it } from 'vitest'
import { createScenario } from './support/scenario.ts'
import { distributionBody, postDistribution } from './support/test-app.ts'
import { listKeys } from '../src/state/store.ts'

const EVENTS = 'application/vnd.docker.distribution.events.v1+json'

describe('app: routes', () => {
  it('answers health and unknown routes', async () => {
    const { test } = createScenario()
    expect(await (await test.request('/healthz')).json()).toEqual({ ok: true })
    const missing = await test.request('/nope')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for GET /nope' } })
    const unknownSource = await test.request('/webhooks/gitlab-not-a-source', { method: 'POST', body: '{}' })
    expect(unknownSource.status).toBe(404)
  })

  it('protects /status with the admin token when one is configured', async () => {
    const { test } = createScenario({ server: { adminToken: 'admin-secret' } })
    expect((await test.request('/status')).status).toBe(401)
    expect((await test.request('/status', { headers: { authorization: 'Bearer admin-secret' } })).status).toBe(200)
  })
})

describe('app: bad input gets a clear 4xx and changes nothing', () => {
  const good = [{ repository: 'demo/app-amd64', tag: 'v1.0.2' }]
  const cases: [string, RequestInit & { path?: string }, number, string][] = [
    ['a wrong token', { headers: { 'content-type': EVENTS, authorization: 'Bearer wrong' }, body: distributionBody(good) }, 401, 'UNAUTHORIZED'],
    ['no token', { headers: { 'content-type': EVENTS }, body: distributionBody(good) }, 401, 'UNAUTHORIZED'],
    ['malformed JSON', { headers: { 'content-type': EVENTS, authorization: 'Bearer s3cret' }, body: '{"events":[' }, 400, 'INVALID_PAYLOAD'],
    ['a wrong schema', { headers: { 'content-type': EVENTS, authorization: 'Bearer s3cret' }, body: '{"events":"x"}' }, 400, 'INVALID_PAYLOAD'],
    ['invalid UTF-8', { headers: { 'content-type': EVENTS, authorization: 'Bearer s3cret' }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }, 400, 'INVALID_PAYLOAD'],
    ['a wrong content type', { headers: { 'content-type': 'text/plain', authorization: 'Bearer s3cret' }, body: distributionBody(good) }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an oversized body', { headers: { 'content-type': EVENTS, authorization: 'Bearer s3cret' }, body: `{"events":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}` }, 413, 'PAYLOAD_TOO_LARGE'],
    ['an unknown Docker Hub image', { path: '/webhooks/dockerhub/hub-secret', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ push_data: { tag: 'v1' }, repository: { repo_name: 'other/app' } }) }, 404, 'NOT_FOUND'],
    ['a wrong Docker Hub secret', { path: '/webhooks/dockerhub/guess', headers: { 'content-type': 'application/json' }, body: '{}' }, 401, 'UNAUTHORIZED'],
    ['a missing Docker Hub secret', { path: '/webhooks/dockerhub', headers: { 'content-type': 'application/json' }, body: '{}' }, 401, 'UNAUTHORIZED'],
  ]

  it.each(cases)('%s', async (_, init, status, code) => {
    const s = createScenario()
    const response = await s.test.request(init.path ?? '/webhooks/distribution', { method: 'POST', ...init })
    expect(response.status).toBe(status)
    const body = await response.json()
    expect(body.error.code).toBe(code)
    expect(body.error.message).toEqual(expect.any(String))
    expect(JSON.stringify(body)).not.toMatch(/s3cret|hub-secret/)
    await s.test.idle()
    expect(s.registry.requests).toEqual([])
    expect(await listKeys(s.test.deps.store, '')).toEqual([])
  })

  it('caps a chunked body that declares no length (413) and reads one under the cap', async () => {
    const s = createScenario()
    const stream = (bytes: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent < bytes; sent += 64 * 1024) controller.enqueue(new TextEncoder().encode(' '.repeat(Math.min(64 * 1024, bytes - sent))))
          controller.close()
        },
      })
    const headers = { 'content-type': EVENTS, authorization: 'Bearer s3cret' }
    const big = await s.test.request('/webhooks/distribution', { method: 'POST', headers, body: stream(3 * 1024 * 1024), duplex: 'half' } as RequestInit)
    expect(big.status).toBe(413)
    const body = `{"events":[]}${' '.repeat(100_000)}`
    const small = await s.test.request('/webhooks/distribution', {
      method: 'POST',
      headers,
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(body)), c.close()) }),
      duplex: 'half',
    } as RequestInit)
    expect(small.status).toBe(202)
  })

  it('answers 202 and ignores, without storing, a distribution push for an unknown repository', async () => {
    const s = createScenario()
    const response = await postDistribution(s.test, [{ repository: 'unrelated/repo', tag: 'v1' }])
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ accepted: [], ignored: [{ reason: 'unknown image: no configured image uses this repository', repository: 'unrelated/repo', tag: 'v1' }] })
    expect(await listKeys(s.test.deps.store, '')).toEqual([])
  })

  it('never logs a secret', async () => {
    const s = createScenario()
    await s.test.request('/webhooks/dockerhub/hub-secret-guess', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    await postDistribution(s.test, [{ repository: 'demo/app-amd64', tag: 'v1' }], 'wrong-s3cret')
    expect(JSON.stringify(s.test.logs)).not.toMatch(/s3cret|hub-secret/)
  })
})

describe('app: strangers cost no body reads', () => {
  // A body that counts how often the server pulled from it.
  const countingBody = () => {
    const pulls = { count: 0 }
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls.count++
        controller.enqueue(new TextEncoder().encode('{"events":[]}'))
        controller.close()
      },
    }, { highWaterMark: 0 })
    return { pulls, init: { method: 'POST', body, duplex: 'half' } as RequestInit }
  }

  it.each([
    ['a wrong bearer token (distribution)', '/webhooks/distribution', { authorization: 'Bearer wrong', 'content-type': EVENTS }],
    ['a wrong path secret (Docker Hub)', '/webhooks/dockerhub/guess', { 'content-type': 'application/json' }],
  ])('refuses %s before reading the body', async (_, path, headers) => {
    const s = createScenario()
    const { pulls, init } = countingBody()
    const response = await s.test.request(path, { ...init, headers })
    expect(response.status).toBe(401)
    expect(pulls.count).toBe(0)
  })

  it('refuses an HMAC source without its signature header before reading the body', async () => {
    const s = createScenario({ registries: { 'registry.test': {}, 'ghcr.io': {} }, sources: { github: { secret: 'gh-secret' } } })
    const { pulls, init } = countingBody()
    const response = await s.test.request('/webhooks/github', { ...init, headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(401)
    expect(pulls.count).toBe(0)
  })

  it('answers a body cut off mid-way with 400 REQUEST_ABORTED, logged as a refusal', async () => {
    const s = createScenario()
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('socket hang up'))
      },
    })
    const response = await s.test.request('/webhooks/distribution', { method: 'POST', body, duplex: 'half', headers: { authorization: 'Bearer s3cret', 'content-type': EVENTS } } as RequestInit)
    expect(response.status).toBe(400)
    expect((await response.json()).error.code).toBe('REQUEST_ABORTED')
    expect(s.test.logs.map((l) => [l.level, l.message])).toEqual([['warn', 'request refused'], ['debug', 'delivery']])
  })

  it('logs a refused request once, its path clipped', async () => {
    const s = createScenario()
    await s.test.request(`/webhooks/${'x'.repeat(16_000)}`, { method: 'POST', body: '{}' })
    const [refused, delivery, ...rest] = s.test.logs
    expect(rest).toEqual([])
    expect(JSON.stringify(refused).length).toBeLessThan(600)
    // The delivery line (debug) names no path, and an unknown source by one fixed label.
    expect(delivery).toMatchObject({ level: 'debug', message: 'delivery', fields: { source: 'unknown', outcome: 'unknown', status: 404 } })
    expect(JSON.stringify(delivery).length).toBeLessThan(300)
  })
})
