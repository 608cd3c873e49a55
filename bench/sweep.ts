// The sweep at scale: `images` images, each with `versions` published versions from two days ago
// (history, outside the 24 h reconcile window) and one from today (SQLite state, the stub registry,
// every version published through the webhook path), then a light sweep (what runs every minute)
// and a full one (POST /reconcile, once per reconcileIntervalSeconds) timed, with the registry
// requests each one sent and the versions each one loaded.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../src/config.ts'
import { silentLogger } from '../src/log.ts'
import { runLimited } from '../src/pipeline/run-limited.ts'
import { sweep } from '../src/pipeline/sweep.ts'
import { startNodeServer } from '../src/runtime/node/node-server.ts'
import { buildEnvelope } from './ingest.ts'
import { startStubRegistry, type StubRegistry } from './stub-registry.ts'

const TOKEN = 'bench-sweep-token'
const SEED_CONCURRENCY = 32
const TWO_DAYS_MS = 48 * 3_600_000

/** One timed sweep. */
export interface SweepRow {
  kind: 'light' | 'full'
  images: number
  versions: number
  ms: number
  requests: number
  versionsChecked: number
  versionsProcessed: number
}

/** Seeds `images` x (`versions` old + 1 new) published versions, then times a light and a full sweep. */
export async function runSweepBench(images: number, versions: number): Promise<SweepRow[]> {
  const stub = await startStubRegistry()
  const dir = mkdtempSync(join(tmpdir(), 'mh-bench-sweep-'))
  const config = parseConfig({
    registries: { [stub.host]: { insecure: true } },
    sources: { distribution: { token: TOKEN, registry: stub.host } },
    images: Array.from({ length: images }, (_, i) => ({ target: `${stub.host}/bench/img${i}`, from: `${stub.host}/bench/img${i}:{version}-{arch}`, platforms: ['linux/amd64'] })),
    server: { sweepIntervalSeconds: 0, publicStatus: true },
  })
  const clock = { offsetMs: 0 }
  const now = () => new Date(Date.now() - clock.offsetMs)
  const server = await startNodeServer({ config, dataPath: join(dir, 'state.db'), port: 0, log: silentLogger, now })
  try {
    clock.offsetMs = TWO_DAYS_MS
    await seed(server.url, stub, images, versions, 0)
    await server.idle()
    clock.offsetMs = 0
    await seed(server.url, stub, images, 1, versions)
    await server.idle()
    const rows: SweepRow[] = []
    for (const full of [false, true]) {
      const before = stub.requests()
      const started = performance.now()
      const report = await sweep(server.deps, { full })
      const ms = performance.now() - started
      if (report.failures > 0) throw new Error(`the ${full ? 'full' : 'light'} sweep failed for ${report.failures} image(s)`)
      rows.push({ kind: full ? 'full' : 'light', images, versions, ms, requests: stub.requests() - before, versionsChecked: report.versionsChecked, versionsProcessed: report.versionsProcessed })
    }
    return rows
  } finally {
    await server.close()
    await stub.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// Versions first..first+count-1 of every image arrive as webhooks, SEED_CONCURRENCY at a time.
async function seed(url: string, stub: StubRegistry, images: number, count: number, first: number): Promise<void> {
  const deliveries = Array.from({ length: images * count }, (_, n) => ({ image: n % images, version: first + Math.floor(n / images) }))
  await runLimited(deliveries, SEED_CONCURRENCY, async ({ image, version }) => {
    const response = await fetch(`${url}/webhooks/distribution`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
      body: buildEnvelope(stub, `bench/img${image}`, `v1.${version}.0-amd64`, `${image}/${version}`),
    })
    if (response.status !== 202) throw new Error(`seeding: webhook answered ${response.status}`)
    await response.arrayBuffer()
  })
}
