// Runs our server the way users do (`node dist/node.mjs --config FILE --port 0`) in its own
// process, so the bench's proxies do not share its event loop.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const STOP_GRACE_MS = 10_000

export interface ServerProcess {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts dist/node.mjs with `config` written into `dir`; resolves once it prints its URL. `bundle`:
 * another build's dist/node.mjs (BENCH_BASELINE), run with the same flags.
 */
export async function startServerProcess(config: unknown, dir: string, bundle = 'dist/node.mjs'): Promise<ServerProcess> {
  const configPath = join(dir, 'manifest-hook.json')
  writeFileSync(configPath, JSON.stringify(config, null, 2))
  // BENCH_NODE_ARGS adds flags to the server's node (e.g. `--cpu-prof --cpu-prof-dir=prof`).
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const args = [...readStartFlags(), ...extra, bundle, '--config', configPath, '--port', '0', '--data', join(dir, 'state.db'), '--log-level', 'warn']
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)))
  })
  // SIGTERM waits for deferred work; after STOP_GRACE_MS the process is killed.
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  return { url, child, stop }
}

/** The node flags of `npm start` (package.json), so the bench measures the process users run. */
export function readStartFlags(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
  const words = pkg.scripts.start.split(/\s+/)
  if (words[0] !== 'node' || !words.includes('dist/node.mjs')) throw new Error(`unexpected start script: ${pkg.scripts.start}`)
  return words.slice(1, words.indexOf('dist/node.mjs'))
}

/** Resolves once the server's start-up sweep has finished (GET /status shows its record, /metrics no work waiting), so that it does not run inside a measurement. */
export async function waitForStartupSweep(server: ServerProcess, image: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // One image's status: cheap however many images are configured (the sweep record comes with any).
    const status = (await (await fetch(`${server.url}/status?image=${encodeURIComponent(image)}&limit=1`)).json()) as { sweep?: unknown }
    // The scheduled sweep fans out one work item per image: done once none is waiting, twice in a row.
    if (status.sweep && (await workWaiting(server)) === 0 && (await sleep(500), await workWaiting(server)) === 0) return
    await sleep(200)
  }
  throw new Error(`the start-up sweep of ${server.url} did not finish within ${timeoutMs} ms`)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The `manifest_hook_work_waiting` gauge of GET /metrics. */
async function workWaiting(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith('manifest_hook_work_waiting '))
  if (!line) throw new Error('GET /metrics has no manifest_hook_work_waiting')
  return Number(line.split(' ')[1])
}
