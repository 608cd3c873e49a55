// Figures and the printed table of `npm run bench`.

import type { ColdStartRow } from './cold-start.ts'
import type { LambdaFigures } from './lambda.ts'
import { TARGET_PER_SEC, type IngestRow } from './ingest.ts'
import type { PairedIngestRow } from './ingest-paired.ts'
import type { PairedPublishRow } from './publish-paired.ts'
import type { SweepRow } from './sweep.ts'

export interface Side {
  runs: number
  requests: number
  latencyP50Ms: number
  latencyP99Ms: number
}

export interface ScenarioResult {
  scenario: string
  ours: Side
  docker: Side | undefined
}

/** Returns the median of `values`. */
export function median(values: number[]): number {
  return percentile(values, 50)
}

/** Returns the nearest-rank percentile of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] ?? Number.NaN
}

const ms = (value: number) => `${value.toFixed(1)} ms`

/** Prints one row per scenario: our figures, docker's, and the ratios. */
export function printTable(results: ScenarioResult[], withDocker: boolean): void {
  const rows = [['scenario', 'requests (ours)', 'latency p50 / p99 (ours)', 'requests (docker)', 'latency p50 (docker)', 'requests ratio', 'latency ratio']]
  for (const { scenario, ours, docker } of results) {
    rows.push([
      scenario,
      String(ours.requests),
      `${ms(ours.latencyP50Ms)} / ${ms(ours.latencyP99Ms)}`,
      docker ? String(docker.requests) : 'n/a',
      docker ? ms(docker.latencyP50Ms) : 'n/a',
      docker ? `${(docker.requests / ours.requests).toFixed(1)}x fewer` : 'n/a',
      docker ? `${(docker.latencyP50Ms / ours.latencyP50Ms).toFixed(1)}x faster` : 'n/a',
    ])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  console.log('\nmanifest-hook publish: 3 arches, version tag + latest (registry requests counted at a proxy)')
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '))
  if (!withDocker) console.log('\n(docker CLI not found: no docker manifest comparison in this run)')
  console.log('\nlatency: last per-arch webhook received -> `latest` PUT acknowledged (ours); first `docker manifest create` -> last push done (docker)')
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

function printRows(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)))
  console.log(`\n${title}`)
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '))
}

/** Prints ingest throughput per kind and image count (flat out, then paced at the target rate). */
export function printIngestTable(rows: IngestRow[]): void {
  const table = [['deliveries', 'images', 'offered /s', 'deliveries/s', 'target', 'server CPU ms / 1000', 'latency p50 / p99', 'failures', 'RSS peak (private) < 100 MB', 'registry req / delivery']]
  for (const r of rows) {
    const requests = `${r.registryRequestsPerDelivery.toFixed(1)}${r.settled ? `, done ${r.settleSeconds.toFixed(1)} s after the load` : ' (still running after 20 s)'}`
    const offered = r.offeredPerSec ? String(r.offeredPerSec) : 'max'
    const rss = `${mb(r.rssPeakBytes)} (${mb(r.rssPeakAnonBytes)})`
    table.push([r.kind, String(r.images), offered, r.deliveriesPerSec.toFixed(0), `>= ${TARGET_PER_SEC[r.kind]}`, r.cpuMsPer1000.toFixed(0), `${r.latencyP50Ms} / ${r.latencyP99Ms} ms`, String(r.failures), rss, requests])
  }
  printRows('ingest (autocannon -> dist/node.mjs, SQLite state; tracked = new version each, with its deferred resolve work)', table)
}

/** Prints ours beside the baseline build (BENCH_BASELINE), slice by slice paired; the target: within 10 %. */
export function printPairedIngestTable(baseline: string, rows: PairedIngestRow[]): void {
  const table = [['deliveries', 'offered /s', 'server CPU µs / delivery (ours / baseline)', 'deliveries/s (ours / baseline)', 'CPU ratio: median / of sums', 'target']]
  for (const r of rows) {
    const ratio = `${r.cpuRatioMedian.toFixed(3)} / ${r.cpuRatioOfSums.toFixed(3)}`
    table.push([r.kind, r.offeredPerSec ? String(r.offeredPerSec) : 'max', `${r.ours.cpuUsPerDelivery.toFixed(0)} / ${r.baseline.cpuUsPerDelivery.toFixed(0)}`, `${r.ours.deliveriesPerSec.toFixed(0)} / ${r.baseline.deliveriesPerSec.toFixed(0)}`, ratio, '<= 1.10'])
  }
  printRows(`ingest paired with ${baseline} (both servers at once, ${rows[0]?.slices ?? 0} alternating slices each, 10 images)`, table)
}

/** Prints the publish paired with another build: latencies, requests and the latency ratios. */
export function printPairedPublishTable(baseline: string, rows: PairedPublishRow[]): void {
  const table = [['scenario', 'latency p50 (ours / baseline)', 'latency p90 (ours / baseline)', 'requests (ours / baseline)', 'latency ratio: median of pairs / of p50s', 'target']]
  for (const r of rows) {
    const ratio = `${r.latencyRatioMedian.toFixed(3)} / ${r.latencyRatioOfMedians.toFixed(3)}`
    table.push([r.scenario, `${ms(r.ours.latencyP50Ms)} / ${ms(r.baseline.latencyP50Ms)}`, `${ms(r.ours.latencyP90Ms)} / ${ms(r.baseline.latencyP90Ms)}`, `${r.ours.requests} / ${r.baseline.requests}`, ratio, '<= 1.10'])
  }
  printRows(`publish paired with ${baseline} (two stacks side by side, ${rows[0]?.publishes ?? 0} alternating publishes each)`, table)
}

/** Prints the 10 -> N images comparison (catalog lookup must not scan: < 10 % change). */
export function printScalingTable(rows: IngestRow[]): void {
  const table = [['deliveries', 'images', 'deliveries/s change', 'CPU per delivery change', 'target']]
  for (const kind of ['ignored', 'tracked']) {
    const [small, large] = rows.filter((r) => r.kind === kind && !r.offeredPerSec).sort((a, b) => a.images - b.images)
    if (!small || !large) continue
    const change = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`
    table.push([kind, `${small.images} -> ${large.images}`, change(small.deliveriesPerSec, large.deliveriesPerSec), change(small.cpuMsPer1000, large.cpuMsPer1000), '< 10 %'])
  }
  printRows('configured images: 10 vs many (same deliveries)', table)
}


/** Prints cold start per runtime bundle. */
export function printColdStartTable(rows: ColdStartRow[]): void {
  const table = [['runtime', 'bundle', 'spawn -> first /healthz', 'process start -> bundle imported', 'runs']]
  for (const r of rows) {
    table.push([r.runtime, r.bundle, r.note ?? `${r.healthzMs?.toFixed(0)} ms`, r.note ? '' : `${r.importMs?.toFixed(0)} ms`, String(r.runs)])
  }
  printRows('cold start (medians)', table)
}

/** What the streaming-copy bench measured. */
export interface CopyFigures {
  blobBytes: number
  ours: { seconds: number; mbPerSec: number; rssBaselineBytes: number; rssPeakBytes: number; rssPeakAnonBytes: number }
  curl: { seconds: number; mbPerSec: number }
}

/** Prints the streaming-copy row beside curl. */
export function printCopyTable(copy: CopyFigures): void {
  printRows(`streaming copy of a ${mb(copy.blobBytes)} layer, mount declined (GET -> PUT through a proxy)`, [
    ['copier', 'time', 'throughput', 'server RSS baseline -> peak (private peak), target < 100 MB'],
    ['manifest-hook (dist/node.mjs)', `${copy.ours.seconds.toFixed(2)} s`, `${copy.ours.mbPerSec.toFixed(0)} MB/s`, `${mb(copy.ours.rssBaselineBytes)} -> ${mb(copy.ours.rssPeakBytes)} (${mb(copy.ours.rssPeakAnonBytes)})`],
    ['curl GET | curl -T - PUT', `${copy.curl.seconds.toFixed(2)} s`, `${copy.curl.mbPerSec.toFixed(0)} MB/s`, ''],
  ])
}

/** Prints the light and the full sweep over the seeded versions. */
export function printSweepTable(rows: SweepRow[]): void {
  const first = rows[0]
  if (!first) return
  printRows(`sweep over ${first.images} images x (${first.versions} published versions from two days ago + 1 from today; SQLite, stub registry, reconcile window 24 h)`, [
    ['sweep', 'time', 'registry requests', 'versions loaded', 'versions processed'],
    ...rows.map((r) => [r.kind === 'light' ? 'light (every sweepIntervalSeconds)' : 'full (POST /reconcile, once per reconcileIntervalSeconds)', `${r.ms.toFixed(0)} ms`, String(r.requests), String(r.versionsChecked), String(r.versionsProcessed)]),
  ])
}

/** Prints the Lambda bundle's sizes, cold start and peak RSS against issue 14's targets. */
export function printLambdaTable(figures: LambdaFigures): void {
  if (figures.note) return printRows('lambda', [['lambda'], [figures.note]])
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const rows = [['figure', 'measured', 'target']]
  if (figures.sizes) {
    rows.push(['main chunk (dist/lambda/index.mjs)', kb(figures.sizes.mainBytes), '<= 150 KB'])
    rows.push(['loaded at cold start (main + the chunks it imports statically)', kb(figures.sizes.staticBytes), '<= 150 KB'])
    rows.push([`lazy chunks (AWS SDK, DynamoDB store, registry client, work, status page; ${figures.sizes.chunks} files in all)`, kb(figures.sizes.lazyBytes), ''])
  }
  if (figures.coldStart) {
    rows.push([`cold start: process start -> bundle imported (median of ${figures.coldStart.runs})`, `${figures.coldStart.importMs.toFixed(0)} ms`, ''])
    rows.push([`cold start: process start -> first Function URL answer (median of ${figures.coldStart.runs})`, `${figures.coldStart.firstRequestMs.toFixed(0)} ms (fastest ${figures.coldStart.fastestFirstRequestMs.toFixed(0)})`, '<= 160 ms'])
    rows.push(['  for scale: process start -> an empty script run (median)', `${figures.coldStart.emptyProcessMs.toFixed(0)} ms`, ''])
  }
  if (figures.memory && 'note' in figures.memory) rows.push(['peak RSS through the end-to-end scenario', figures.memory.note, '<= 128 MB'])
  else if (figures.memory) rows.push([`peak RSS of any handler process (${figures.memory.environments} processes, ${figures.memory.invocations} hand-offs)`, mb(figures.memory.peakRssBytes), '<= 128 MB'])
  printRows('lambda (dist/lambda/, payload 2.0 events, dynalite state, hand-offs in fresh processes)', rows)
}
