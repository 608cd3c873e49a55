import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.ts'
import { RegistryError } from '../../src/registry/errors.ts'
import { createRegistryGates } from '../../src/registry/registry-gates.ts'
import { createTransport, parseRetryAfter, type RetryPolicy } from '../../src/registry/transport.ts'
import { createClock } from './client-fixture.ts'

type Scripted = Response | Error
const oci = (status: number, code: string, headers: Record<string, string> = {}) =>
  Response.json({ errors: [{ code, message: code.toLowerCase() }] }, { status, headers })

function setup(script: Scripted[], retry: Partial<RetryPolicy> = {}) {
  const clock = createClock()
  const sleeps: number[] = []
  const calls: Array<{ url: string; init: RequestInit }> = []
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init })
    const next = script.shift() ?? new Response('ok')
    if (next instanceof Error) throw next
    return next
  }) as typeof globalThis.fetch
  const send = createTransport({
    fetch,
    userAgent: 'manifest-hook/test',
    retry: { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, deadlineMs: 30_000, ...retry },
    sleep: async (ms) => {
      sleeps.push(ms)
      clock.advance(ms)
    },
    now: clock.now,
    log: silentLogger,
    attemptTimeoutMs: 10_000,
    gates: createRegistryGates({ limit: 8, cooldownMs: 10_000, now: clock.now }),
  })
  return { send, calls, sleeps, clock }
}

const get = { method: 'GET', url: new URL('https://r.test/v2/a/manifests/v1') }

describe('createTransport retries', () => {
  it.each([
    [503, 'UNAVAILABLE'],
    [502, 'UNKNOWN'],
    [504, 'UNKNOWN'],
    [500, 'UNKNOWN'],
    [408, 'UNKNOWN'],
    [499, 'UNKNOWN'],
    [522, 'UNKNOWN'],
    [429, 'TOOMANYREQUESTS'],
  ])('retries %d and returns the later success', async (status, code) => {
    const { send, calls, sleeps } = setup([oci(status, code), new Response('fine')])
    const response = await send(get)
    expect(await response.text()).toBe('fine')
    expect(calls).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(100) // 200 ms base with 50-100 % jitter
    expect(sleeps[0]).toBeLessThanOrEqual(200)
  })

  it('retries a non-temporary status when the OCI code is TOOMANYREQUESTS, and the body stays readable', async () => {
    const { send, calls } = setup([oci(403, 'TOOMANYREQUESTS'), oci(403, 'DENIED')])
    const response = await send(get)
    expect(calls).toHaveLength(2)
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ errors: [{ code: 'DENIED', message: 'denied' }] })
  })

  it.each([[400], [401], [403], [404], [413]])('does not retry %d', async (status) => {
    const { send, calls, sleeps } = setup([oci(status, 'DENIED')])
    expect((await send(get)).status).toBe(status)
    expect(calls).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('backs off exponentially, capped by maxDelayMs, and returns the last response after `attempts`', async () => {
    const { send, calls, sleeps } = setup([oci(503, 'UNAVAILABLE'), oci(503, 'UNAVAILABLE'), oci(503, 'UNAVAILABLE'), oci(503, 'UNAVAILABLE')], {
      baseDelayMs: 1000,
      maxDelayMs: 1500,
    })
    expect((await send(get)).status).toBe(503)
    expect(calls).toHaveLength(4)
    expect(sleeps).toHaveLength(3)
    expect(sleeps[0]).toBeLessThanOrEqual(1000)
    expect(sleeps[2]).toBeLessThanOrEqual(1500)
    expect(sleeps[2]).toBeGreaterThanOrEqual(1500) // 4000 * jitter >= 2000, capped at 1500
  })

  it('honours Retry-After in seconds and as an HTTP date, capped by maxDelayMs', async () => {
    const clock = createClock()
    const date = new Date(clock.now() + 4000).toUTCString()
    const { send, sleeps } = setup([
      oci(429, 'TOOMANYREQUESTS', { 'Retry-After': '3' }),
      oci(503, 'UNAVAILABLE', { 'Retry-After': date }),
      oci(429, 'TOOMANYREQUESTS', { 'Retry-After': '3600' }),
      new Response('ok'),
    ])
    await send(get)
    expect(sleeps).toEqual([3000, 1000, 5000]) // the date is 4 s after the start; 3 s have passed
  })

  it('never sleeps past the deadline', async () => {
    const { send, calls, sleeps } = setup([oci(429, 'TOOMANYREQUESTS', { 'Retry-After': '2' }), oci(429, 'TOOMANYREQUESTS', { 'Retry-After': '2' })], {
      deadlineMs: 3000,
    })
    expect((await send(get)).status).toBe(429)
    expect(calls).toHaveLength(2)
    expect(sleeps).toEqual([2000])
  })

  it('retries network errors (TypeError) and finally throws a temporary RegistryError without secrets', async () => {
    const failure = () => new TypeError('fetch failed')
    const { send, calls } = setup([failure(), failure(), failure(), failure()])
    const url = new URL('https://user:pw-secret@r.test/v2/a/blobs/x?token=tok-secret')
    const error = await send({ method: 'GET', url }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect(error).toMatchObject({ reason: 'network', temporary: true })
    expect(calls).toHaveLength(4)
    const text = `${(error as Error).message} ${JSON.stringify(error)}`
    expect(text).not.toContain('pw-secret')
    expect(text).not.toContain('tok-secret')
  })

  it('does not retry other exceptions', async () => {
    const { send, calls } = setup([new RangeError('bad')])
    await expect(send(get)).rejects.toMatchObject({ reason: 'network', temporary: false })
    expect(calls).toHaveLength(1)
  })

  it('sends a streaming body once (it cannot be replayed), with duplex half', async () => {
    const { send, calls } = setup([oci(503, 'UNAVAILABLE')])
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array([1])), c.close()) })
    expect((await send({ method: 'PUT', url: get.url, body })).status).toBe(503)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.init).toMatchObject({ duplex: 'half' })
  })

  it('replays a byte body and sends the User-Agent with manual redirects', async () => {
    const { send, calls } = setup([oci(503, 'UNAVAILABLE'), new Response(null, { status: 201 })])
    const body = new TextEncoder().encode('{}')
    expect((await send({ method: 'PUT', url: get.url, body, headers: { 'Content-Type': 'x' } })).status).toBe(201)
    expect(calls.map((c) => c.init.body)).toEqual([body, body])
    expect(calls[1]!.init).toMatchObject({ redirect: 'manual', headers: { 'User-Agent': 'manifest-hook/test', 'Content-Type': 'x' } })
  })
})

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['12', 12_000],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
  ])('%s -> %s', (value, expected) => {
    expect(parseRetryAfter(value, Date.UTC(2026, 0, 1))).toBe(expected)
  })
})
