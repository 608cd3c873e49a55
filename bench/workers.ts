// The Worker bundle as `npm run deploy:cloudflare` uploads it (`wrangler deploy --dry-run`): its
// size against the 100 KB gzip target, and its startup: a fresh V8 (node) evaluating the bundle's
// global scope, which is what Cloudflare's 1 s startup limit measures, then the first request
// (configuration parsed, app built) through its fetch handler. cloudflare:workers is replaced by a
// stub class for that; GET /healthz touches no Durable Object. Then `wrangler dev` spawn -> first
// /healthz, the local development loop.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildWorkersBundle, STARTUP_LIMIT_MS } from '../scripts/workers-bundle.ts'
import { startWranglerDev } from '../test/support/wrangler-dev.ts'
import { median } from './report.ts'

export const GZIP_TARGET_BYTES = 100 * 1024

export interface WorkersBenchRow {
  bytes: number
  gzipBytes: number
  runs: number
  /** Global scope evaluated (import of the bundle), median ms. */
  startupMs: number
  /** Import plus the first GET /healthz answered, median ms. */
  firstRequestMs: number
  /** `npm run dev:workers` spawn -> first /healthz 200, ms (one run). */
  devReadyMs: number
}

const CONFIG = JSON.stringify({ images: [{ target: 'registry.test/demo/app', from: 'registry.test/demo/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64'] }] })

/** Builds the bundle and measures it `runs` times. */
export async function runWorkersBench(runs: number): Promise<WorkersBenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'mh-workers-bench-'))
  try {
    const bundle = await buildWorkersBundle(dir)
    writeFileSync(join(dir, 'cloudflare-workers.mjs'), 'export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env } }\n')
    const runnable = join(dir, 'worker.mjs')
    writeFileSync(runnable, readFileSync(bundle.file, 'utf8').replaceAll('"cloudflare:workers"', '"./cloudflare-workers.mjs"'))
    const startup: number[] = []
    const firstRequest: number[] = []
    for (let i = 0; i < runs; i++) {
      const timing = await timeStartup(runnable)
      startup.push(timing.importMs)
      firstRequest.push(timing.firstRequestMs)
    }
    const started = performance.now()
    const dev = await startWranglerDev(JSON.parse(CONFIG), {}, process.cwd())
    const devReadyMs = performance.now() - started
    await dev.stop()
    return { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, runs, startupMs: median(startup), firstRequestMs: median(firstRequest), devReadyMs }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function timeStartup(bundle: string): Promise<{ importMs: number; firstRequestMs: number }> {
  const code = [
    'const t0 = performance.now()',
    `const worker = (await import(${JSON.stringify(resolve(bundle))})).default`,
    'const t1 = performance.now()',
    `const response = await worker.fetch(new Request('http://worker.test/healthz'), { MANIFEST_HOOK_CONFIG: ${JSON.stringify(CONFIG)} })`,
    'if (response.status !== 200) throw new Error(`healthz ${response.status}`)',
    'console.log(JSON.stringify({ importMs: t1 - t0, firstRequestMs: performance.now() - t0 }))',
  ].join('\n')
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
  await new Promise((done) => child.once('exit', done))
  return JSON.parse(output) as { importMs: number; firstRequestMs: number }
}

/** Prints the Worker rows. */
export function printWorkersTable(row: WorkersBenchRow): void {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const ms = (value: number) => `${value.toFixed(1)} ms`
  console.log('\nCloudflare Worker (wrangler deploy --dry-run bundle)')
  console.log(`  bundle ${kb(row.bytes)}, gzip ${kb(row.gzipBytes)} (target <= ${kb(GZIP_TARGET_BYTES)}): ${row.gzipBytes <= GZIP_TARGET_BYTES ? 'ok' : 'OVER'}`)
  console.log(`  startup (global scope, median of ${row.runs}): ${ms(row.startupMs)} (Cloudflare's limit ${STARTUP_LIMIT_MS} ms); first /healthz ${ms(row.firstRequestMs)}`)
  console.log(`  npm run dev:workers -> first /healthz: ${ms(row.devReadyMs)}`)
}
