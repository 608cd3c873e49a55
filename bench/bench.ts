/**
 * `npm run bench`: publish latency and registry requests per publish for the separate-repository
 * and same-repository scenarios (3 arches, version + latest), beside the same publish done by
 * `docker manifest create/annotate/push --purge` in the same run when the docker CLI exists; then
 * ingest throughput (autocannon), 10 vs 10,000 configured images, RSS under load, light and full
 * sweeps over 11,000 published versions (10,000 of them history), cold start per runtime bundle, the
 * Worker bundle's gzip size and startup, the Lambda bundle (sizes, cold start, peak RSS through the
 * end-to-end scenario) and the 200 MB streaming copy beside curl.
 * BENCH_ONLY=publish,ingest,sweep,cold-start,workers,lambda,copy picks
 * sections; BENCH_BASELINE=<another checkout, built> adds publish and ingest paired against that build
 * (publish-paired.ts, ingest-paired.ts). Everything runs on loopback; requests are counted by the fault proxy (no faults
 * injected) in front of the real registry; a webhook's arrival time is the `arrivedAt` our server records.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { runColdStartBench } from './cold-start.ts'
import { runIngestBench } from './ingest.ts'
import { runPairedIngest } from './ingest-paired.ts'
import { runLambdaBench } from './lambda.ts'
import { runPublishSection } from './publish.ts'
import { runPairedPublish } from './publish-paired.ts'
import { printColdStartTable, printCopyTable, printIngestTable, printLambdaTable, printPairedIngestTable, printPairedPublishTable, printScalingTable, printSweepTable } from './report.ts'
import { runStreamingCopyBench } from './streaming-copy.ts'
import { runSweepBench } from './sweep.ts'
import { printWorkersTable, runWorkersBench } from './workers.ts'

const SECTIONS = (process.env.BENCH_ONLY ?? 'publish,ingest,sweep,cold-start,workers,lambda,copy').split(',')
const INGEST = {
  seconds: Number(process.env.BENCH_INGEST_SECONDS ?? 5),
  connections: Number(process.env.BENCH_INGEST_CONNECTIONS ?? 50),
  imageCounts: [10, Number(process.env.BENCH_MANY_IMAGES ?? 10_000)],
  rounds: Number(process.env.BENCH_INGEST_ROUNDS ?? 2),
}
const COPY_MB = Number(process.env.BENCH_COPY_MB ?? 200)
const SWEEP = { images: Number(process.env.BENCH_SWEEP_IMAGES ?? 1_000), versions: Number(process.env.BENCH_SWEEP_VERSIONS ?? 10) }

// buildah's `manifest create/add/push` is the other hand-written merge recipe; compared only where installed.
function hasBuildah(): boolean {
  try {
    execFileSync('buildah', ['--version'], { stdio: 'ignore', timeout: 10_000 })
    return true
  } catch {
    return false
  }
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: availableParallelism(), iterations: Number(process.env.BENCH_ITERATIONS ?? 10) }
  if (SECTIONS.includes('publish')) {
    const { results } = await runPublishSection()
    report.results = results
    report.buildah = hasBuildah() ? 'installed, comparison not implemented yet' : 'not installed'
    console.log(`buildah: ${report.buildah} (no buildah comparison in this run)`)
    const baseline = process.env.BENCH_BASELINE
    if (baseline) {
      const paired = await runPairedPublish(baseline, Number(process.env.BENCH_PAIRED_PUBLISHES ?? 40), Number(process.env.BENCH_WARMUP ?? 2))
      report.publishPaired = { baseline, rows: paired }
      printPairedPublishTable(baseline, paired)
    }
  }
  if (SECTIONS.includes('ingest')) {
    const ingest = await runIngestBench(INGEST)
    report.ingest = { options: INGEST, rows: ingest }
    printIngestTable(ingest)
    printScalingTable(ingest)
    const baseline = process.env.BENCH_BASELINE
    if (baseline) {
      const paired = await runPairedIngest({ ...INGEST, baseline, slices: Number(process.env.BENCH_PAIRED_SLICES ?? 10), sliceSeconds: 2 })
      report.ingestPaired = { baseline, rows: paired }
      printPairedIngestTable(baseline, paired)
    }
  }
  if (SECTIONS.includes('sweep')) {
    const sweep = await runSweepBench(SWEEP.images, SWEEP.versions)
    report.sweep = sweep
    printSweepTable(sweep)
  }
  if (SECTIONS.includes('cold-start')) {
    const coldStart = await runColdStartBench(Number(process.env.BENCH_COLD_RUNS ?? 5))
    report.coldStart = coldStart
    printColdStartTable(coldStart)
  }
  if (SECTIONS.includes('workers')) {
    const workers = await runWorkersBench(Number(process.env.BENCH_COLD_RUNS ?? 5))
    report.workers = workers
    printWorkersTable(workers)
  }
  if (SECTIONS.includes('lambda')) {
    const lambda = await runLambdaBench(Number(process.env.BENCH_LAMBDA_COLD_RUNS ?? 15))
    report.lambda = lambda
    printLambdaTable(lambda)
  }
  if (SECTIONS.includes('copy')) {
    const copy = await runStreamingCopyBench(COPY_MB)
    report.streamingCopy = copy
    printCopyTable(copy)
  }
  mkdirSync('bench/results', { recursive: true })
  const file = join('bench/results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\nwrote ${file}`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error)
  process.exit(1)
})
