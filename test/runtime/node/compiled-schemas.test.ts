// The Node server compiles the schemas it parses often (zod's `compile`, core/parse-with-schema.ts);
// Lambda and Workers interpret the same schemas. Both must answer alike: the same events, or the
// same error with the same issues, for valid and hostile input.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { parseConfig } from '../../../src/config.ts'
import { setSchemaCompiler } from '../../../src/core/parse-with-schema.ts'
import { silentLogger } from '../../../src/log.ts'
import { startNodeServer } from '../../../src/runtime/node/node-server.ts'
import { envelopeSchema } from '../../../src/sources/distribution.ts'
import type { Delivery } from '../../../src/sources/source.ts'
import { findSource } from '../../../src/sources/source-table.ts'
import { createRandom, junkValue, misencode, mutateBytes, mutateJson, type Random } from '../../sources/fuzz/fuzz-random.ts'
import * as targets from '../../sources/fuzz/fuzz-targets.ts'
import type { FuzzTarget } from '../../sources/fuzz/fuzz-harness.ts'
import { NOW } from '../../sources/helpers/provider-harness.ts'
import { createFakeRegistry } from '../../support/fake-registry.ts'
import { HOST, scenarioConfig } from '../../support/scenario.ts'
import { TOKEN } from '../../support/test-app.ts'

// zod's real compile, counted: which schemas the server compiled, and when.
const compiled = vi.hoisted(() => ({ schemas: [] as unknown[] }))
vi.mock('zod/mini', async (original) => {
  const zod = await original<typeof import('zod/mini')>()
  return { ...zod, compile: (schema: Parameters<typeof zod.compile>[0]) => (compiled.schemas.push(schema), zod.compile(schema)) }
})

const dir = mkdtempSync(join(tmpdir(), 'mh-compiled-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => setSchemaCompiler(undefined))

const encoder = new TextEncoder()
const MUTATIONS_PER_SEED = 150

type Outcome = { events: unknown } | { error: string; message: string; issues?: unknown }

function outcomeOf(run: () => unknown): Outcome {
  try {
    return { events: run() }
  } catch (error) {
    const { name, message } = error as Error
    const issues = (error as { issues?: unknown }).issues
    return { error: name, message, ...(issues ? { issues } : {}) }
  }
}

function bodiesOf(r: Random, seed: string): Uint8Array[] {
  const bodies: Uint8Array[] = [encoder.encode(seed)]
  for (let i = 0; i < MUTATIONS_PER_SEED; i++) {
    const kind = r.int(4)
    if (kind === 0) bodies.push(mutateBytes(r, encoder.encode(seed)))
    else if (kind === 1) bodies.push(misencode(r, seed))
    else if (kind === 2) bodies.push(encoder.encode(JSON.stringify(junkValue(r, 4)) ?? 'null'))
    else {
      let root: unknown = JSON.parse(seed)
      for (let n = r.int(3) + 1; n > 0; n--) root = mutateJson(r, root)
      bodies.push(encoder.encode(JSON.stringify(root)))
    }
  }
  return bodies
}

// Every delivery parsed twice: interpreted, then with every schema compiled from its first parse.
function compareSource(target: FuzzTarget, seedNumber: number): { parsed: number; refused: number } {
  const entry = findSource(target.source)!
  const options = entry.options(parseConfig({ registries: { [target.host]: {} }, sources: target.sources }))
  const context = { registries: [target.host] }
  const r = createRandom(seedNumber)
  const deliveries = target.seeds.flatMap((seed) => bodiesOf(r, seed.body).map((body): Delivery => ({ headers: new Headers(seed.headers), body, params: {}, receivedAt: NOW.toISOString() })))
  const parseAll = () => deliveries.map((delivery) => outcomeOf(() => entry.source.parse(delivery, options, context)))
  const interpreted = parseAll()
  compiled.schemas.length = 0
  setSchemaCompiler({ compile: z.compile, after: 1 })
  expect(parseAll()).toEqual(interpreted)
  // The source's body schema (at least) was compiled, once.
  expect(compiled.schemas.length).toBeGreaterThan(0)
  expect(new Set(compiled.schemas).size).toBe(compiled.schemas.length)
  setSchemaCompiler(undefined)
  const parsed = interpreted.filter((o) => 'events' in o).length
  return { parsed, refused: interpreted.length - parsed }
}

describe('compiled schemas (Node) and interpreted schemas (Lambda, Workers)', () => {
  const all = Object.values(targets).filter((t): t is FuzzTarget => typeof t === 'object')
  it.each(all.map((t) => [t.source, t] as const))('parse %s deliveries alike, valid and hostile', (_name, target) => {
    const { parsed, refused } = compareSource(target, 0x5eed + target.source.length)
    expect(parsed + refused).toBe(target.seeds.length * (MUTATIONS_PER_SEED + 1))
    expect(parsed).toBeGreaterThanOrEqual(target.seeds.length)
    expect(refused).toBeGreaterThan(0)
  })

  it('parse GAR push messages alike', async () => {
    const target = await targets.createGarTarget()
    const { parsed, refused } = compareSource(target, 0x6a2)
    expect(parsed + refused).toBe(target.seeds.length * (MUTATIONS_PER_SEED + 1))
    expect(parsed).toBeGreaterThanOrEqual(target.seeds.length)
    expect(refused).toBeGreaterThan(0)
  })

  it('parse configurations alike, valid and hostile', () => {
    const r = createRandom(0xc0f1)
    const valid = {
      registries: { 'ghcr.io': { auth: { token: 'x' } } },
      sources: { distribution: { token: 'secret' } },
      images: [{ target: 'ghcr.io/acme/app', from: 'ghcr.io/acme/app:{version}-{arch}', platforms: ['linux/amd64', 'linux/arm64'] }],
      server: { retention: { days: 90, keepVersions: 50 } },
    }
    const inputs = [valid, ...Array.from({ length: 300 }, () => mutateJson(r, structuredClone(valid)))]
    const parseAll = () => inputs.map((input) => outcomeOf(() => parseConfig(input)))
    const interpreted = parseAll()
    setSchemaCompiler({ compile: z.compile, after: 1 })
    expect(parseAll()).toEqual(interpreted)
    const refused = interpreted.filter((o) => 'error' in o).length
    expect([refused > 0, refused < inputs.length]).toEqual([true, true])
  })
})

describe('the Node server', () => {
  it('compiles the distribution envelope at its 100th delivery, and nothing before', async () => {
    const registry = createFakeRegistry({ host: HOST })
    const server = await startNodeServer({ config: parseConfig(scenarioConfig()), dataPath: join(dir, 'state.db'), port: 0, log: silentLogger, fetch: registry.fetch })
    try {
      compiled.schemas.length = 0
      const body = JSON.stringify({ events: [{ action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: 'not/configured', tag: 'v1' } }] })
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' }
      const deliver = async () => (await fetch(`${server.url}/webhooks/distribution`, { method: 'POST', headers, body })).status
      for (let i = 0; i < 99; i++) expect(await deliver()).toBe(202)
      expect(compiled.schemas).toEqual([])
      expect(await deliver()).toBe(202)
      expect(compiled.schemas).toEqual([envelopeSchema])
      for (let i = 0; i < 20; i++) expect(await deliver()).toBe(202)
      expect(compiled.schemas).toEqual([envelopeSchema])
    } finally {
      await server.close()
    }
  })
})
