// The fault proxy itself: reproducible fault sequences, what each fault kind does to a client,
// holds, and mount refusal. A plain node:http upstream stands in for the registry.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultKind, type FaultProxy } from '../support/fault-proxy.ts'

const BODY = 'x'.repeat(4096)

describe('fault proxy', () => {
  let upstream: Server
  let target: string
  const seen: string[] = []
  const proxies: FaultProxy[] = []

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`)
      req.resume()
      req.once('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length }).end(BODY))
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()))
    upstream.closeAllConnections()
    await new Promise((resolve) => upstream.close(resolve))
  })

  async function proxy(options: Parameters<typeof startFaultProxy>[0] extends infer O ? Omit<O & object, 'target'> : never) {
    const started = await startFaultProxy({ target, ...options })
    proxies.push(started)
    return started
  }

  const get = async (url: string) => {
    const response = await fetch(url)
    return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() }
  }

  it('draws the same faults for the same seed, and about the chosen share', async () => {
    const runs = []
    for (const seed of [7, 7, 8]) {
      const faulty = await proxy({ faultRate: 0.3, seed, kinds: ['500', '503'] })
      for (let i = 0; i < 200; i++) await get(`${faulty.url}/n/${i}`)
      runs.push(faulty.log.map((entry) => entry.fault ?? '-').join(','))
    }
    expect(runs[0]).toBe(runs[1])
    expect(runs[2]).not.toBe(runs[0])
    const share = runs[0]!.split(',').filter((f) => f !== '-').length / 200
    expect(share).toBeGreaterThan(0.2)
    expect(share).toBeLessThan(0.4)
  })

  it.each(['500', '502', '503'] as const)('answers %s without reaching the upstream', async (kind) => {
    const faulty = await proxy({ faultRate: 1, kinds: [kind] })
    const before = seen.length
    expect(await get(`${faulty.url}/status`)).toMatchObject({ status: Number(kind), retryAfter: null })
    expect(seen.length).toBe(before)
  })

  it('answers 429 with Retry-After', async () => {
    const faulty = await proxy({ faultRate: 1, kinds: ['429'], retryAfterSeconds: 2 })
    const answer = await get(`${faulty.url}/limited`)
    expect(answer).toMatchObject({ status: 429, retryAfter: '2' })
    expect(JSON.parse(answer.text).errors[0].code).toBe('TOOMANYREQUESTS')
  })

  it('resets the connection before or after the upstream saw the request', async () => {
    for (const [kind, reaches] of [['reset', false], ['reset-after', true]] as [FaultKind, boolean][]) {
      const faulty = await proxy({ faultRate: 1, kinds: [kind] })
      const before = seen.length
      await expect(fetch(`${faulty.url}/${kind}`)).rejects.toThrow()
      expect(seen.length - before).toBe(reaches ? 1 : 0)
      expect(faulty.log[0]).toMatchObject({ status: 0, fault: kind })
    }
  })

  it('delays a slow response and truncates a body mid-way', async () => {
    const slow = await proxy({ faultRate: 1, kinds: ['slow'], slowMs: 300 })
    const started = performance.now()
    expect((await get(`${slow.url}/slow`)).text).toBe(BODY)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    const cut = await proxy({ faultRate: 1, kinds: ['truncate'] })
    const response = await fetch(`${cut.url}/cut`)
    expect(response.status).toBe(200)
    await expect(response.text()).rejects.toThrow()
  })

  it('holds a matching request until released, and drops it on request', async () => {
    const plain = await proxy({})
    const hold = plain.hold((request) => request.path === '/held')
    const answer = get(`${plain.url}/held`)
    expect(await hold.reached).toEqual({ method: 'GET', path: '/held' })
    expect(await get(`${plain.url}/other`)).toMatchObject({ status: 200 })
    hold.release()
    expect(await answer).toMatchObject({ status: 200, text: BODY })
    const dropped = plain.hold((request) => request.path === '/dropped')
    const failing = fetch(`${plain.url}/dropped`)
    await dropped.reached
    dropped.drop()
    await expect(failing).rejects.toThrow()
  })

  it('turns a cross-repository mount into a plain upload start', async () => {
    const refusing = await proxy({ refuseMounts: true })
    await fetch(`${refusing.url}/v2/a/blobs/uploads/?mount=sha256%3Aab&from=b`, { method: 'POST' }).then((r) => r.text())
    expect(seen.at(-1)).toBe('POST /v2/a/blobs/uploads/')
  })
})
