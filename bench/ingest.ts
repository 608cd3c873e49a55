// Ingest throughput: autocannon POSTs distribution webhooks at our server process (dist/node.mjs,
// SQLite state) for ignored and for tracked deliveries, with 10 and with 10,000 configured images,
// sampling the server's RSS meanwhile. Tracked deliveries each name a new version, so each one is a
// durable write (fsync) and starts the deferred resolve work against a fast stub registry.
import autocannon from 'autocannon'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCpuMs, startRssSampler } from '../test/support/process-rss.ts'
import { startServerProcess, waitForStartupSweep, type ServerProcess } from './server-process.ts'
import { startStubRegistry, type StubRegistry } from './stub-registry.ts'

const TOKEN = 'bench-token'
const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7']
const SETTLE_LIMIT_MS = 20_000

/** One autocannon run against one configuration. */
export interface IngestRow {
  kind: 'ignored' | 'tracked'
  images: number
  deliveriesPerSec: number
  /** Server CPU (user + system) per 1000 deliveries, deferred work included. */
  cpuMsPer1000: number
  latencyP50Ms: number
  latencyP99Ms: number
  failures: number
  rssPeakBytes: number
  /** The private (anonymous) part of the RSS peak; the rest is the node executable's shared pages. */
  rssPeakAnonBytes: number
  /** Offered rate (deliveries/s) when the run was paced; undefined when autocannon ran flat out. */
  offeredPerSec?: number
  /** Registry requests the server made per delivery (resolve work, re-checks), until settled. */
  registryRequestsPerDelivery: number
  /** False when the deferred work was still calling the registry SETTLE_LIMIT_MS after the load. */
  settled: boolean
  /** Seconds from the end of the load until the deferred registry work stopped (0.5 s resolution). */
  settleSeconds: number
}

/** Bench knobs: seconds per run, connections, image counts, and rounds (the best round is kept). */
export interface IngestOptions {
  seconds: number
  connections: number
  imageCounts: number[]
  rounds: number
}

/** The targets: throughput flat out, and the rate at which RSS is also measured paced. */
export const TARGET_PER_SEC = { ignored: 10_000, tracked: 2_000 } as const

/** The bench's configuration: `images` images of 3 platforms on the stub registry. */
export function buildConfig(stub: StubRegistry, images: number) {
  return {
    registries: { [stub.host]: { insecure: true } },
    sources: { distribution: { token: TOKEN, registry: stub.host } },
    images: Array.from({ length: images }, (_, i) => ({
      target: `${stub.host}/bench/img${i}`,
      from: `${stub.host}/bench/img${i}:{version}-{arch}`,
      platforms: PLATFORMS,
    })),
    server: { sweepIntervalSeconds: 0, publicStatus: true },
  }
}

// One manifest push by tag, as distribution 2.8 sends it (references included); autocannon fills in `[<id>]`.
export function buildEnvelope(stub: StubRegistry, repository: string, tag: string, id = '[<id>]'): string {
  const target = { mediaType: stub.manifestMediaType, digest: stub.manifestDigest, size: 0, repository, tag, references: stub.references }
  const event = { id, timestamp: '2026-11-27T19:02:40Z', action: 'push', target, request: { host: stub.host } }
  return JSON.stringify({ events: [event] })
}

/** autocannon at the webhook: flat out, or paced at `rate`. */
export async function fire(server: ServerProcess, body: string, options: IngestOptions, seconds = options.seconds, rate?: number) {
  return autocannon({
    ...(rate ? { overallRate: rate } : {}),
    url: `${server.url}/webhooks/distribution`,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
    body,
    idReplacement: true,
    connections: options.connections,
    duration: seconds,
  })
}

/** Waits until the server's deferred work has stopped calling the stub (at most SETTLE_LIMIT_MS). */
export async function settle(stub: StubRegistry): Promise<boolean> {
  const deadline = Date.now() + SETTLE_LIMIT_MS
  let last = -1
  while (last !== stub.requests()) {
    if (Date.now() > deadline) return false
    last = stub.requests()
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return true
}

async function measure(server: ServerProcess, stub: StubRegistry, kind: IngestRow['kind'], images: number, options: IngestOptions, rate?: number): Promise<IngestRow> {
  // Tracked deliveries go to the last configured image (a scan would find it last); each tag is new.
  const body = kind === 'ignored'
    ? buildEnvelope(stub, 'bench/not-configured', 'v1.0.0-amd64')
    : buildEnvelope(stub, `bench/img${images - 1}`, 'v1.[<id>]-amd64')
  const pid = server.child.pid as number
  const rss = startRssSampler(pid)
  const cpuBefore = readCpuMs(pid) ?? 0
  const stubBefore = stub.requests()
  const result = await fire(server, body, options, options.seconds, rate)
  const settleStarted = performance.now()
  const settled = await settle(stub)
  // settle() returns one quiet 500 ms poll after the last registry request.
  const settleSeconds = Math.max(0, (performance.now() - settleStarted) / 1000 - 0.5)
  const cpuMs = (readCpuMs(pid) ?? 0) - cpuBefore
  const { peakBytes, peakAnonBytes } = rss.stop()
  return {
    kind,
    images,
    ...(rate ? { offeredPerSec: rate } : {}),
    deliveriesPerSec: result['2xx'] / result.duration,
    cpuMsPer1000: (cpuMs / Math.max(1, result['2xx'])) * 1000,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
    rssPeakBytes: peakBytes,
    rssPeakAnonBytes: peakAnonBytes,
    registryRequestsPerDelivery: (stub.requests() - stubBefore) / Math.max(1, result['2xx']),
    settled,
    settleSeconds,
  }
}

/** Runs ignored and tracked ingest for each image count (fresh server each), `rounds` times interleaved; keeps the best. */
export async function runIngestBench(options: IngestOptions): Promise<IngestRow[]> {
  const runs: IngestRow[] = []
  for (let round = 0; round < options.rounds; round++) runs.push(...(await runRound(options)))
  const best = new Map<string, IngestRow>()
  for (const row of runs) {
    const key = `${row.kind}/${row.images}/${row.offeredPerSec ?? 'max'}`
    if ((best.get(key)?.deliveriesPerSec ?? -1) < row.deliveriesPerSec) best.set(key, row)
  }
  return [...best.values()]
}

function selectedKinds(): IngestRow['kind'][] {
  return (['ignored', 'tracked'] as const).filter((kind) => process.env.BENCH_INGEST_KINDS?.includes(kind) ?? true)
}

// Runs `work` against a fresh, warmed-up server process configured with `images` images.
async function withServer<T>(stub: StubRegistry, images: number, options: IngestOptions, work: (server: ServerProcess) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mh-bench-ingest-'))
  const server = await startServerProcess(buildConfig(stub, images), dir)
  try {
    await waitForStartupSweep(server, `${stub.host}/bench/img0`)
    // Warm-up (JIT, connection pools), not counted.
    await fire(server, buildEnvelope(stub, 'bench/not-configured', 'v0-amd64'), options, 2)
    return await work(server)
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

// RSS at the target rates (autocannon paced), each kind on a fresh server with the first image count.
async function runPaced(stub: StubRegistry, options: IngestOptions): Promise<IngestRow[]> {
  const rows: IngestRow[] = []
  const images = options.imageCounts[0] ?? 10
  for (const kind of selectedKinds()) rows.push(await withServer(stub, images, options, (server) => measure(server, stub, kind, images, options, TARGET_PER_SEC[kind])))
  return rows
}

async function runRound(options: IngestOptions): Promise<IngestRow[]> {
  const stub = await startStubRegistry()
  const rows: IngestRow[] = []
  try {
    for (const images of options.imageCounts) {
      await withServer(stub, images, options, async (server) => {
        for (const kind of selectedKinds()) rows.push(await measure(server, stub, kind, images, options))
      })
    }
    rows.push(...(await runPaced(stub, options)))
  } finally {
    await stub.close()
  }
  return rows
}
