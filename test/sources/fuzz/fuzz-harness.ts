// Runs many hostile deliveries at one source through the app over a fake registry and asserts:
// no 5xx, no registry request, nothing stored, no unhandled rejection. Prints the count.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFakeRegistry } from '../../support/fake-registry.ts'
import { createTestApp, type TestApp } from '../../support/test-app.ts'
import { NOW } from '../helpers/provider-harness.ts'
import { createRandom, junkHeaderValue, junkString, junkValue, misencode, mutateBytes, mutateJson, type Random } from './fuzz-random.ts'
import { listKeys } from '../../../src/state/store.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
export const FUZZ_BODY_LIMIT = 16 * 1024
export const FUZZ_COUNT = 10_000

/** A valid delivery to start from (it names a repository no image uses). */
export interface FuzzSeed {
  path?: string
  headers: Record<string, string>
  body: string
}

/** How to fuzz one source. */
export interface FuzzTarget {
  source: string
  /** The configured registry host (the fake registry answers for `registryHost`, default the same). */
  host: string
  registryHost?: string
  sources: Record<string, unknown>
  seeds: FuzzSeed[]
  /** The route, secret included where the source takes it in the path. */
  path: string
  /** Headers that authenticate `body` (a valid signature or the static credential). */
  authorize(body: Uint8Array): Promise<Record<string, string>>
  contentTypes: readonly string[]
  count?: number
}

interface Attempt {
  path: string
  headers: Record<string, string>
  body: Uint8Array
}

type Strategy = (r: Random, target: FuzzTarget, seed: FuzzSeed) => Promise<Attempt>

const signed = async (target: FuzzTarget, seed: FuzzSeed, body: Uint8Array, path = target.path): Promise<Attempt> => ({
  path,
  headers: { ...seed.headers, ...(await target.authorize(body)) },
  body,
})

// Each strategy yields one delivery; together they cover the list of hostile inputs.
const STRATEGIES: Strategy[] = [
  // Mutated bytes under the original (now stale) credentials.
  async (r, t, seed) => {
    const original = encoder.encode(seed.body)
    return { ...(await signed(t, seed, original)), body: mutateBytes(r, original) }
  },
  // Mutated bytes with a valid signature over the junk.
  async (r, t, seed) => signed(t, seed, mutateBytes(r, encoder.encode(seed.body))),
  // Structurally mutated JSON (wrong types, huge strings, deep nesting, missing keys), validly signed.
  async (r, t, seed) => {
    let root: unknown = JSON.parse(seed.body)
    for (let i = r.int(3) + 1; i > 0; i--) root = mutateJson(r, root)
    return signed(t, seed, encoder.encode(JSON.stringify(root)))
  },
  // Generated junk, validly signed.
  async (r, t, seed) => signed(t, seed, encoder.encode(JSON.stringify(junkValue(r, 4)) ?? 'undefined')),
  // A wrong encoding of a valid body, validly signed.
  async (r, t, seed) => signed(t, seed, misencode(r, seed.body)),
  // Random, missing or duplicated headers around a valid body.
  async (r, t, seed) => randomHeaders(r, t, await signed(t, seed, encoder.encode(seed.body))),
  // Bodies near (and just over) the size limit, validly signed.
  async (r, t, seed) => signed(t, seed, padTo(seed.body, FUZZ_BODY_LIMIT - 256 + r.int(512))),
  // A random path secret or suffix.
  async (r, t, seed) => ({ ...(await signed(t, seed, encoder.encode(seed.body))), path: `/webhooks/${t.source}/${percentEncode(r)}` }),
]

// Any bytes, percent-encoded (including invalid UTF-8 such as %FF): what a hostile path may carry.
function percentEncode(r: Random): string {
  const bytes = r.chance(0.5) ? encoder.encode(junkString(r, 24)) : Uint8Array.from({ length: r.int(24) }, () => r.int(256))
  return Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('') || 'x'
}

function randomHeaders(r: Random, target: FuzzTarget, attempt: Attempt): Attempt {
  const headers = { ...attempt.headers }
  const names = Object.keys(headers)
  for (let i = r.int(4) + 1; i > 0; i--) {
    const choice = r.int(4)
    if (choice === 0 && names.length > 0) delete headers[r.pick(names)]
    else if (choice === 1 && names.length > 0) headers[r.pick(names)] = junkHeaderValue(r)
    else if (choice === 2) headers['content-type'] = r.pick([...target.contentTypes, '', 'application/json;;', 'text/plain', 'application/json; charset=utf-16', junkHeaderValue(r)])
    else headers[`x-${junkString(r, 8).replace(/[^a-z0-9-]/gi, '') || 'junk'}`] = junkHeaderValue(r)
  }
  return { ...attempt, headers }
}

function padTo(body: string, size: number): Uint8Array {
  const parsed = JSON.parse(body) as Record<string, unknown>
  const base = encoder.encode(JSON.stringify({ ...parsed, pad: '' })).length
  return encoder.encode(JSON.stringify({ ...parsed, pad: 'p'.repeat(Math.max(0, size - base)) }))
}

const BATCH = 16

async function send(test: TestApp, attempt: Attempt, statuses: Record<number, number>): Promise<void> {
  const response = await test.request(attempt.path, { method: 'POST', headers: attempt.headers, body: attempt.body as BodyInit })
  statuses[response.status] = (statuses[response.status] ?? 0) + 1
  if (response.status >= 500) expect.fail(`${response.status} for ${attempt.path} ${JSON.stringify(attempt.headers)} ${decoder.decode(attempt.body).slice(0, 500)}: ${await response.text()}`)
  await response.arrayBuffer()
}

/** Declares the fuzz test of one source (call at the top level of a test file). */
export function fuzzSource(target: FuzzTarget, seed: number): void {
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => void rejections.push(reason)
  beforeAll(() => void process.on('unhandledRejection', onRejection))
  afterAll(() => void process.off('unhandledRejection', onRejection))

  it(`survives ${target.count ?? FUZZ_COUNT} hostile deliveries: no 5xx, no registry request, nothing stored`, { timeout: 60_000 }, async () => {
    const registry = createFakeRegistry({ host: target.registryHost ?? target.host })
    let fetches = 0
    const countingFetch: typeof fetch = (input, init) => {
      fetches++
      return registry.fetch(input, init)
    }
    const images = [{ target: `${target.host}/fuzz/app`, from: `${target.host}/fuzz/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'] }]
    const config = { server: { maxBodyBytes: FUZZ_BODY_LIMIT }, registries: { [target.host]: {} }, sources: target.sources, images }
    const test = createTestApp(config, { fetch: countingFetch, now: () => NOW })
    const r = createRandom(seed)
    const statuses: Record<number, number> = {}
    const started = performance.now()
    const count = target.count ?? FUZZ_COUNT
    for (let done = 0; done < count; done += BATCH) {
      // Attempts are generated in order (replayable), then sent together so Web Crypto work overlaps.
      const attempts: Attempt[] = []
      for (let i = done; i < Math.min(count, done + BATCH); i++) attempts.push(await r.pick(STRATEGIES)(r, target, r.pick(target.seeds)))
      await Promise.all(attempts.map((attempt) => send(test, attempt, statuses)))
    }
    await test.idle()
    const ms = Math.round(performance.now() - started)
    console.log(`fuzz ${target.source}: ${count} deliveries in ${ms} ms, statuses ${JSON.stringify(statuses)}`)
    expect(Object.keys(statuses).filter((status) => Number(status) >= 500)).toEqual([])
    expect(fetches).toBe(0)
    expect(registry.requests).toEqual([])
    expect(await listKeys(test.deps.store, '')).toEqual([])
    expect(rejections).toEqual([])
    // The run is not all refused at the door: many deliveries get past authentication.
    expect((statuses[202] ?? 0) + (statuses[400] ?? 0) + (statuses[415] ?? 0)).toBeGreaterThan(count / 4)
    expect(test.logs.filter((entry) => entry.level === 'error')).toEqual([])
  })
}
