// Cold start per runtime bundle: time from spawning the process to the first successful
// GET /healthz, and the time to import the bundle (process start -> bundle evaluated). Runtimes
// whose bundle does not exist yet are listed with "not built yet"; add a bundle to RUNTIMES when it lands.
// The Worker is measured by bench/workers.ts (workerd has no process to spawn per start).
// Lambda's cold start (a first Function URL request, not a server) is in bench/lambda.ts.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { median } from './report.ts'
import { readStartFlags } from './server-process.ts'

/** One runtime's cold start; `note` when it was not measured. */
export interface ColdStartRow {
  runtime: string
  bundle: string
  runs: number
  healthzMs?: number
  importMs?: number
  note?: string
}

interface RuntimeBundle {
  runtime: string
  bundle: string
  /** How to measure it; undefined while the runtime has no local harness. */
  measure?: (bundle: string, runs: number) => Promise<Omit<ColdStartRow, 'runtime' | 'bundle'>>
}

const RUNTIMES: RuntimeBundle[] = [
  { runtime: 'node', bundle: 'dist/node.mjs', measure: measureNode },
]

/** Measures every runtime whose bundle exists. */
export async function runColdStartBench(runs: number): Promise<ColdStartRow[]> {
  const rows: ColdStartRow[] = []
  for (const { runtime, bundle, measure } of RUNTIMES) {
    if (!existsSync(bundle)) rows.push({ runtime, bundle, runs: 0, note: 'not built yet' })
    else if (!measure) rows.push({ runtime, bundle, runs: 0, note: 'no local cold-start harness yet' })
    else rows.push({ runtime, bundle, ...(await measure(bundle, runs)) })
  }
  return rows
}

async function measureNode(bundle: string, runs: number) {
  const healthz: number[] = []
  const imports: number[] = []
  for (let i = 0; i < runs; i++) {
    healthz.push(await timeToHealthz(bundle))
    imports.push(await timeToImport(bundle))
  }
  return { runs, healthzMs: median(healthz), importMs: median(imports) }
}

// Spawn -> first 200 from /healthz (polled every 2 ms), with an empty configuration.
async function timeToHealthz(bundle: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mh-cold-'))
  const started = performance.now()
  // Started in an empty folder: no config file, as on a first `npm start`.
  const child = spawn(process.execPath, [...readStartFlags(), resolve(bundle), '--port', '0', '--data', join(dir, 'state.db')], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, MANIFEST_HOOK_CONFIG: '', INIT_CWD: dir },
  })
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let output = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8')
        const match = /listening on (http:\/\/\S+)/.exec(output)
        if (match?.[1]) resolveUrl(match[1])
      })
      child.once('exit', (code) => reject(new Error(`${bundle} exited with ${code}: ${output}`)))
    })
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
      if (ok) return performance.now() - started
      await new Promise((resolveWait) => setTimeout(resolveWait, 2))
    }
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

// A fresh node process imports the bundle and reports performance.now() (ms since process start).
async function timeToImport(bundle: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mh-import-'))
  const code = `await import(${JSON.stringify(resolve(bundle))}); console.log('IMPORTED', performance.now()); process.exit(0)`
  const args = ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', code, '--', '--port', '0', '--data', join(dir, 'state.db')]
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, MANIFEST_HOOK_CONFIG: '', INIT_CWD: dir } })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
  await new Promise((resolveExit) => child.once('exit', resolveExit))
  rmSync(dir, { recursive: true, force: true })
  const match = /IMPORTED ([\d.]+)/.exec(output)
  if (!match?.[1]) throw new Error(`import of ${bundle} printed no time: ${output}`)
  return Number(match[1])
}
