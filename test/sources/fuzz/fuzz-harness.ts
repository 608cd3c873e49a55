// Runs many hostile deliveries at one source through the app over a fake registry and asserts: no
// 5xx, no unhandled rejection, and that exactly the deliveries the app accepted left anything
// behind (the images are configured for the seeds' repositories, so an accepted delivery is
// recorded and resolved: the assertions can fail). Prints the count.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFakeRegistry } from '../../support/fake-registry.ts'
import { createTestApp, type TestApp } from '../../support/test-app.ts'
import { NOW } from '../helpers/provider-harness.ts'
import { createRandom, junkHeaderValue, junkString, junkValue, misencode, mutateBytes, mutateJson, type Random } from './fuzz-random.ts'
import { parseConfig } from '../../../src/config.ts'
import { findSource } from '../../../src/sources/source-table.ts'
import { listKeys, versionKey } from '../../../src/state/store.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
export const FUZZ_BODY_LIMIT = 16 * 1024
export const FUZZ_COUNT = 10_000

/** A valid delivery to start from; the harness configures an image for the repository it names. */
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

interface Accepted {
  image: string
  version: string
  source: string
}

async function send(test: TestApp, attempt: Attempt, statuses: Record<number, number>, accepted: Accepted[]): Promise<void> {
  const response = await test.request(attempt.path, { method: 'POST', headers: attempt.headers, body: attempt.body as BodyInit })
  statuses[response.status] = (statuses[response.status] ?? 0) + 1
  if (response.status >= 500) expect.fail(`${response.status} for ${attempt.path} ${JSON.stringify(attempt.headers)} ${decoder.decode(attempt.body).slice(0, 500)}: ${await response.text()}`)
  const text = await response.text()
  if (response.status === 202) accepted.push(...((JSON.parse(text) as { accepted?: Accepted[] }).accepted ?? []))
}

// `/v2/<repository>/manifests|blobs|tags/…` → the repository.
function repositoryOf(path: string): string {
  return path.slice('/v2/'.length).replace(/\/(manifests|blobs|tags)\/.*$/, '')
}

// `host/repo/sitory:tag` → the registry path of that tag's manifest.
function manifestPath(source: string): string {
  const colon = source.lastIndexOf(':')
  const slash = source.indexOf('/')
  return `/v2/${source.slice(slash + 1, colon)}/manifests/${source.slice(colon + 1)}`
}

// One single-platform image per repository the seeds push to (as the source parses them): the
// repository's last segment becomes the `{arch}` name.
function imagesForSeeds(target: FuzzTarget): unknown[] {
  const config = parseConfig({ registries: { [target.host]: {} }, sources: target.sources })
  const entry = findSource(target.source)
  if (!entry) throw new Error(`no source ${target.source}`)
  const repositories = new Set<string>()
  for (const seed of target.seeds) {
    const delivery = { headers: new Headers(seed.headers), params: {}, receivedAt: NOW.toISOString(), body: encoder.encode(seed.body) }
    for (const event of entry.source.parse(delivery, entry.options(config), { registries: [target.host] })) {
      if (event.kind === 'push') repositories.add(event.repository)
    }
  }
  return [...repositories].map((repository, i) => {
    const slash = repository.lastIndexOf('/')
    return { target: `${target.host}/fuzz/multi-${i}`, from: `${target.host}/${repository.slice(0, slash + 1)}{arch}:{version}`, platforms: [{ platform: 'linux/amd64', arch: repository.slice(slash + 1) }] }
  })
}

/** Declares the fuzz test of one source (call at the top level of a test file). */
export function fuzzSource(target: FuzzTarget, seed: number): void {
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => void rejections.push(reason)
  beforeAll(() => void process.on('unhandledRejection', onRejection))
  afterAll(() => void process.off('unhandledRejection', onRejection))

  it(`survives ${target.count ?? FUZZ_COUNT} hostile deliveries: no 5xx; only accepted deliveries are stored and resolved`, { timeout: 120_000 }, async () => {
    const registry = createFakeRegistry({ host: target.registryHost ?? target.host })
    const config = { server: { maxBodyBytes: FUZZ_BODY_LIMIT }, registries: { [target.host]: {} }, sources: target.sources, images: imagesForSeeds(target) }
    const test = createTestApp(config, { fetch: registry.fetch, now: () => NOW })
    const r = createRandom(seed)
    const statuses: Record<number, number> = {}
    const accepted: Accepted[] = []
    const started = performance.now()
    const count = target.count ?? FUZZ_COUNT
    for (let done = 0; done < count; done += BATCH) {
      // Attempts are generated in order (replayable), then sent together so Web Crypto work overlaps.
      const attempts: Attempt[] = []
      for (let i = done; i < Math.min(count, done + BATCH); i++) attempts.push(await r.pick(STRATEGIES)(r, target, r.pick(target.seeds)))
      await Promise.all(attempts.map((attempt) => send(test, attempt, statuses, accepted)))
    }
    await test.idle()
    const ms = Math.round(performance.now() - started)
    console.log(`fuzz ${target.source}: ${count} deliveries in ${ms} ms, statuses ${JSON.stringify(statuses)}`)
    expect(Object.keys(statuses).filter((status) => Number(status) >= 500)).toEqual([])
    // Valid deliveries get through (so what follows is not vacuous), and only they left anything:
    // the stored versions are exactly the accepted ones, every accepted tag was read (the fake
    // registry has none of them), and nothing else was asked but the accepted repositories and
    // their targets (early blob copies from a source's hints).
    expect(accepted.length).toBeGreaterThan(0)
    const storedVersions = (await listKeys(test.deps.store, '')).filter((key) => key.startsWith('version/'))
    expect(storedVersions.sort()).toEqual([...new Set(accepted.map((a) => versionKey(a.image, a.version)))].sort())
    const paths = new Set(registry.requests.map((request) => request.path))
    expect(accepted.filter((a) => !paths.has(manifestPath(a.source)))).toEqual([])
    const repositories = new Set(accepted.flatMap((a) => [repositoryOf(manifestPath(a.source)), a.image.slice(a.image.indexOf('/') + 1)]))
    expect([...paths].filter((path) => !repositories.has(repositoryOf(path)))).toEqual([])
    expect(rejections).toEqual([])
    // The run is not all refused at the door: many deliveries get past authentication.
    expect((statuses[202] ?? 0) + (statuses[400] ?? 0) + (statuses[415] ?? 0)).toBeGreaterThan(count / 4)
    // The only errors are the accepted tags that the registry does not have.
    const unexpected = test.logs.filter((entry) => entry.level === 'error' && !(entry.message === 'could not resolve arch tag; the sweep will retry' && accepted.some((a) => a.source === entry.fields.source)))
    expect(unexpected).toEqual([])
  })
}
