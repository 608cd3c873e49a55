/**
 * `npm run dev:workers` as a test harness: the Worker of infra/cloudflare/wrangler.jsonc in workerd
 * on 127.0.0.1, with its Durable Object state in a temp folder, the configuration passed as the
 * MANIFEST_HOOK_CONFIG variable and /__scheduled open (--test-scheduled) so a test can fire the
 * Cron Trigger. Stopped by killing the process group it started.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { getFreePort } from './free-port.ts'
import { HarnessError } from './tools.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const READY_TIMEOUT_MS = 60_000

/** A running `wrangler dev`. */
export interface WranglerDev {
  url: string
  logs(): string
  /** Fires the Cron Trigger once (the scheduled handler) and waits for it to finish. */
  scheduled(): Promise<void>
  stop(): Promise<void>
}

/** Starts `wrangler dev` with `config` and `vars` in the package at `root`, and waits until GET /healthz answers 200. */
export async function startWranglerDev(config: unknown, vars: Record<string, string> = {}, root = ROOT): Promise<WranglerDev> {
  const port = await getFreePort()
  const state = mkdtempSync(join(tmpdir(), 'mh-wrangler-dev-'))
  const allVars = { MANIFEST_HOOK_CONFIG: JSON.stringify(config), ...vars }
  const args = ['run', 'dev:workers', '--', '--port', String(port), '--persist-to', state, '--test-scheduled', '--show-interactive-dev-session=false', '--log-level', 'info']
  for (const [name, value] of Object.entries(allVars)) args.push('--var', `${name}:${value}`)
  // Its own process group: npm, wrangler and workerd all stop together.
  const child = spawn('npm', args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' } })
  if (child.pid !== undefined) running.add(child.pid)
  let output = ''
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-2_000_000))
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    await killGroup(child)
    rmSync(state, { recursive: true, force: true })
  }
  // Anything that goes wrong while waiting stops the processes too (none may outlive the test).
  const failure = await waitReady(child, url).catch((error: unknown) => `waiting failed: ${String(error)}`)
  if (failure) {
    await stop()
    throw new HarnessError(`wrangler dev did not start (${failure}); output:\n${output}`)
  }
  return {
    url,
    logs: () => output,
    async scheduled() {
      const response = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('* * * * *')}`)
      const text = await response.text()
      if (!response.ok) throw new HarnessError(`/__scheduled answered ${response.status}: ${text}`)
    },
    stop,
  }
}

async function waitReady(child: ChildProcess, url: string): Promise<string | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited with ${child.exitCode ?? child.signalCode}`
    // A body cut by the timeout rejects after the headers: that is "not ready yet" too.
    const status = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })
      .then(async (response) => (await response.arrayBuffer(), response.status))
      .catch(() => 0)
    if (status === 200) return undefined
    await new Promise((done) => setTimeout(done, 100))
  }
  return `no 200 from ${url}/healthz within ${READY_TIMEOUT_MS} ms`
}

async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child.once('exit', done))
    signalGroup(pid, 'SIGTERM')
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  // workerd may outlive npm and wrangler by a moment: the group goes too.
  signalGroup(pid, 'SIGKILL')
  running.delete(pid)
}

// The group may be gone already (ESRCH).
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {}
}

const running = new Set<number>()
// Last resort so no workerd outlives the test process.
process.on('exit', () => running.forEach((pid) => signalGroup(pid, 'SIGKILL')))
