// BENCH_BASELINE=<another checkout, built>: our ingest against that build's, side by side. This VM's
// speed drifts by ±25 % within minutes, so figures from separate runs cannot show a 10 % change;
// here both servers run at once, the load alternates between them in short slices (A B B A …) and
// each slice's server CPU per delivery is paired with the other's next to it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCpuMs } from '../test/support/process-rss.ts'
import { buildConfig, buildEnvelope, fire, settle, type IngestOptions, type IngestRow } from './ingest.ts'
import { median } from './report.ts'
import { startServerProcess, type ServerProcess } from './server-process.ts'
import { startStubRegistry, type StubRegistry } from './stub-registry.ts'

/** One load (kind, rate) measured on both builds. */
export interface PairedIngestRow {
  kind: IngestRow['kind']
  /** Offered deliveries/s; undefined: flat out. */
  offeredPerSec?: number
  slices: number
  /** Medians over the slices: server CPU (µs per delivery) and deliveries/s. */
  ours: { cpuUsPerDelivery: number; deliveriesPerSec: number }
  baseline: { cpuUsPerDelivery: number; deliveriesPerSec: number }
  /** Median of the slice pairs' CPU ratios (ours / baseline), and the ratio of the sums. */
  cpuRatioMedian: number
  cpuRatioOfSums: number
}

export interface PairedIngestOptions extends IngestOptions {
  baseline: string
  /** Slices per build and load, and each slice's seconds. */
  slices: number
  sliceSeconds: number
}

// The loads compared: ignored flat out and paced, tracked paced (its deferred work settles per slice).
const LOADS: { kind: IngestRow['kind']; rate?: number }[] = [{ kind: 'ignored' }, { kind: 'ignored', rate: 4_000 }, { kind: 'tracked', rate: 1_000 }]

/** Runs every load on both builds, 10 images each (the same stub registry). */
export async function runPairedIngest(options: PairedIngestOptions): Promise<PairedIngestRow[]> {
  const stub = await startStubRegistry()
  const dirs = [mkdtempSync(join(tmpdir(), 'mh-bench-ours-')), mkdtempSync(join(tmpdir(), 'mh-bench-base-'))] as const
  // Without publicStatus: a build from before that key refuses it (the config is strict).
  const config = { ...buildConfig(stub, 10), server: { sweepIntervalSeconds: 0 } }
  const servers: ServerProcess[] = []
  try {
    servers.push(await startServerProcess(config, dirs[0]))
    servers.push(await startServerProcess(config, dirs[1], join(options.baseline, 'dist/node.mjs')))
    const [ours, baseline] = servers as [ServerProcess, ServerProcess]
    // Warm-up (JIT, the start-up sweep of 10 images against the stub), not counted.
    for (const server of servers) await fire(server, buildEnvelope(stub, 'bench/not-configured', 'v0-amd64'), options, 3)
    const rows: PairedIngestRow[] = []
    for (const load of LOADS) rows.push(await measurePair(stub, ours, baseline, load, options))
    return rows
  } finally {
    for (const server of servers) await server.stop()
    await stub.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
}

async function measurePair(stub: StubRegistry, ours: ServerProcess, baseline: ServerProcess, load: (typeof LOADS)[number], options: PairedIngestOptions): Promise<PairedIngestRow> {
  const body = load.kind === 'ignored' ? buildEnvelope(stub, 'bench/not-configured', 'v1.0.0-amd64') : buildEnvelope(stub, 'bench/img9', 'v1.[<id>]-amd64')
  const slices = { ours: [] as Slice[], baseline: [] as Slice[] }
  for (let i = 0; i < options.slices; i++) {
    const order = i % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const)
    for (const name of order) slices[name].push(await measureSlice(stub, name === 'ours' ? ours : baseline, body, load.rate, options))
  }
  const ratios = slices.ours.map((slice, i) => slice.cpuUs / slices.baseline[i]!.cpuUs)
  const sum = (list: Slice[]) => list.reduce((total, slice) => total + slice.cpuUs, 0)
  const summary = (list: Slice[]) => ({ cpuUsPerDelivery: median(list.map((s) => s.cpuUs)), deliveriesPerSec: median(list.map((s) => s.perSec)) })
  return {
    kind: load.kind,
    ...(load.rate ? { offeredPerSec: load.rate } : {}),
    slices: options.slices,
    ours: summary(slices.ours),
    baseline: summary(slices.baseline),
    cpuRatioMedian: median(ratios),
    cpuRatioOfSums: sum(slices.ours) / sum(slices.baseline),
  }
}

interface Slice {
  cpuUs: number
  perSec: number
}

async function measureSlice(stub: StubRegistry, server: ServerProcess, body: string, rate: number | undefined, options: PairedIngestOptions): Promise<Slice> {
  const pid = server.child.pid as number
  const before = readCpuMs(pid) ?? 0
  const result = await fire(server, body, options, options.sliceSeconds, rate)
  // Tracked deliveries' deferred work belongs to the slice that caused it.
  await settle(stub)
  const delivered = Math.max(1, result['2xx'])
  return { cpuUs: (((readCpuMs(pid) ?? 0) - before) / delivered) * 1000, perSec: result['2xx'] / result.duration }
}
