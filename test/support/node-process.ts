/**
 * Our server as its own process, the way users run it: the Node bundle (built from
 * src/runtime/node/main.ts with scripts/bundle-options.ts like scripts/build.mjs, dependencies left
 * external, into a private file so that parallel test files never read a half-written
 * dist/node.mjs), SQLite state, a fixed loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { NODE_BUNDLE_OPTIONS } from '../../scripts/bundle-options.ts'
import { HarnessError } from './tools.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const running = new Set<ChildProcess>()

/** A running server process. */
export interface NodeProcess {
  url: string
  pid: number
  child: ChildProcess
  output(): string
  /** Sends `signal` and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** Bundles src/runtime/node/main.ts into dist/test-bundles/ (dependencies stay external: a faster build; behaviour is the same). */
export async function buildNodeBundle(): Promise<{ path: string; remove(): void }> {
  const dir = join(ROOT, 'dist', 'test-bundles')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `node-${process.pid}-${randomBytes(4).toString('hex')}.mjs`)
  await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [join(ROOT, 'src/runtime/node/main.ts')], outfile: path, packages: 'external', legalComments: 'none', logLevel: 'error' })
  return { path, remove: () => rmSync(path, { force: true }) }
}

/** Starts `node <bundle> --config <configPath> --port <port> --data <dataPath>`; resolves on its banner. */
export async function startNodeProcess(options: { bundle: string; configPath: string; dataPath: string; port: number }): Promise<NodeProcess> {
  const args = ['--disable-warning=ExperimentalWarning', options.bundle, '--config', options.configPath, '--port', String(options.port), '--data', options.dataPath, '--log-level', 'warn']
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MANIFEST_HOOK_CONFIG: '' } })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-200_000))
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new HarnessError(`server did not start within 20 s:\n${output}`)), 20_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolveUrl(match[1])
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new HarnessError(`server exited (${code ?? signal}):\n${output}`))
    })
  })
  const kill = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((resolveKill) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveKill()
      child.once('exit', () => resolveKill())
      child.kill(signal)
    })
  return { url, pid: child.pid as number, child, output: () => output, kill }
}

/** SIGKILLs every server process this module started (afterAll safety net). */
export function killAllNodeProcesses(): void {
  for (const child of running) child.kill('SIGKILL')
}
