// Per-attempt timeouts, per-operation deadlines and per-registry gates, on real timers with short limits.
import { describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../src/registry/http-client.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { registryOptions, repo } from './client-fixture.ts'

const SLOW = 'slow.test'
const FINE = 'fine.test'

// A fetch over two fakes: requests to SLOW wait for `gate()` (never, by default) and honour the signal as fetch does.
async function setup(options: { attemptTimeoutMs: number; deadlineMs?: number; concurrency?: number }) {
  const fakes = { [SLOW]: createFakeRegistry({ host: SLOW }), [FINE]: createFakeRegistry({ host: FINE }) }
  const image = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'timeouts', format: 'oci' })
  for (const fake of Object.values(fakes)) await seedFakeImage(fake, 'demo/app', 'v1', image)
  const state = { stalled: true, inFlight: 0, maxInFlight: 0, calls: 0, trickle: false }
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input))
    const fake = fakes[url.host as keyof typeof fakes]!
    if (url.host !== SLOW) return fake.fetch(input, init)
    state.calls++
    state.inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    try {
      await new Promise<void>((resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true })
        if (!state.stalled) setTimeout(resolve, 50)
      })
    } finally {
      state.inFlight--
    }
    if (state.trickle) return trickling(init.signal!)
    return fake.fetch(input, { ...init, signal: null })
  }) as typeof globalThis.fetch
  const client = createRegistryClient({
    fetch,
    registries: { [SLOW]: registryOptions({ insecure: false }), [FINE]: registryOptions({ insecure: false }) },
    attemptTimeoutMs: options.attemptTimeoutMs,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, deadlineMs: options.deadlineMs ?? 30_000 },
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  })
  return { client, state }
}

// Headers at once, then one byte every 50 ms for ever (until the signal aborts the body).
function trickling(signal: AbortSignal): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      if (signal.aborted) controller.error(signal.reason)
      else controller.enqueue(new Uint8Array([0x20]))
    },
  })
  return new Response(body, { headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })
}

const elapsed = async (work: Promise<unknown>): Promise<{ ms: number; error?: Error }> => {
  const started = performance.now()
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught as Error,
  )
  return { ms: performance.now() - started, ...(error ? { error } : {}) }
}

describe('registry timeouts', () => {
  it('a registry that never answers: a clear error within the attempt timeout, no retry', async () => {
    const { client, state } = await setup({ attemptTimeoutMs: 200 })
    const { error, ms } = await elapsed(client.getManifest(repo(SLOW, 'demo/app'), 'v1'))
    expect(error?.message).toBe('registry slow.test did not answer GET /v2/demo/app/manifests/v1 within 0.2 s')
    expect(error).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'timeout', temporary: true })
    expect(ms).toBeGreaterThanOrEqual(195)
    expect(ms).toBeLessThan(400)
    expect(state.calls).toBe(1)
  })

  it('after an unanswered request, calls to that registry fail at once for a while; others are not held; then it is asked again', async () => {
    const { client, state } = await setup({ attemptTimeoutMs: 200 })
    await client.getManifest(repo(FINE, 'demo/app'), 'v1')
    await client.getManifest(repo(SLOW, 'demo/app'), 'v1').catch(() => undefined)
    const quick = await elapsed(client.headManifest(repo(SLOW, 'demo/app'), 'v1'))
    expect(quick.error?.message).toBe('registry slow.test did not answer within 0.2 s; not asked again for now: HEAD /v2/demo/app/manifests/v1')
    expect(quick.ms).toBeLessThan(20)
    expect(state.calls).toBe(1)
    const other = await elapsed(client.getManifest(repo(FINE, 'demo/app'), 'v1'))
    expect(other.error).toBeUndefined()
    // Not held by the other registry's trouble (its cooldown is 200 ms).
    expect(other.ms).toBeLessThan(150)
    state.stalled = false
    await new Promise((resolve) => setTimeout(resolve, 220))
    await expect(client.getManifest(repo(SLOW, 'demo/app'), 'v1')).resolves.toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json' })
    expect(state.calls).toBe(2)
  })

  it('queued requests are released together when the registry proves unresponsive', async () => {
    const { client, state } = await setup({ attemptTimeoutMs: 200, concurrency: 2 })
    const results = await Promise.all(Array.from({ length: 6 }, () => elapsed(client.getManifest(repo(SLOW, 'demo/app'), 'v1'))))
    expect(state.maxInFlight).toBe(2)
    expect(state.calls).toBe(2)
    expect(results.map((r) => r.error?.message)).toEqual([
      ...Array(2).fill('registry slow.test did not answer GET /v2/demo/app/manifests/v1 within 0.2 s'),
      ...Array(4).fill('registry slow.test did not answer within 0.2 s; not asked again for now: GET /v2/demo/app/manifests/v1'),
    ])
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(400)
  })

  it('at most `concurrency` requests wait on one registry; all are served', async () => {
    const { client, state } = await setup({ attemptTimeoutMs: 2000, concurrency: 3 })
    state.stalled = false
    const results = await Promise.all(Array.from({ length: 9 }, () => client.getManifest(repo(SLOW, 'demo/app'), 'v1')))
    expect(results).toHaveLength(9)
    expect(state.maxInFlight).toBe(3)
  })

  it('a body trickling a byte at a time ends at the operation deadline', async () => {
    const { client, state } = await setup({ attemptTimeoutMs: 200, deadlineMs: 400 })
    state.stalled = false
    state.trickle = true
    const { error, ms } = await elapsed(client.getManifest(repo(SLOW, 'demo/app'), 'v1'))
    expect(error?.message).toBe('registry slow.test did not finish GET /v2/demo/app/manifests/v1 within 0.4 s')
    expect(ms).toBeLessThan(600)
  })
})
