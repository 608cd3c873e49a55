/**
 * A Lambda execution environment on this machine: a fresh node process that imports the built
 * bundle (dist/lambda/index.mjs) and runs events through its `handler` (lambda-worker.ts), with
 * the environment variables the Lambda service sets. Its log lines and peak RSS are kept.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { startRssSampler, type RssSampler } from '../process-rss.ts'
import { HarnessError } from '../tools.ts'
import { findRoot } from './repo-root.ts'

export interface LambdaEnvironment {
  pid: number
  /** How long the bundle's import took in the child (ms). */
  importMs: number
  /** Runs one event; rejects with the handler's error (as the Lambda service reports a failed invocation). */
  invoke(event: unknown, timeoutMs?: number): Promise<unknown>
  /** Peak RSS so far, bytes. */
  peakRssBytes(): number
  stop(): Promise<void>
}

export interface LambdaEnvironmentOptions {
  bundle: string
  /** Added to the Lambda variables (AWS_ENDPOINT_URL_*, MANIFEST_HOOK_*). */
  env: Record<string, string>
  /** Receives each stdout/stderr line (the function's logs, as CloudWatch would get them). */
  onLog?: (line: string) => void
}

// From the repository root: this module also runs bundled into dist/bench.mjs.
const WORKER = join(findRoot(import.meta.dirname), 'test/support/aws/lambda-worker.ts')
const DEFAULT_TIMEOUT_MS = 60_000

/** Starts an environment and waits for the bundle's import (the init phase). */
export async function startLambdaEnvironment(options: LambdaEnvironmentOptions): Promise<LambdaEnvironment> {
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
    AWS_SESSION_TOKEN: 'fake-session-token',
    AWS_LAMBDA_FUNCTION_NAME: 'manifest-hook',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    ...options.env,
  }
  const child = fork(WORKER, [options.bundle], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: ['--disable-warning=ExperimentalWarning'] })
  for (const stream of [child.stdout, child.stderr]) {
    let rest = ''
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) options.onLog?.(line)
    })
  }
  const sampler = startRssSampler(child.pid as number, 10)
  const importMs = await waitReady(child)
  return createEnvironment(child, sampler, importMs)
}

function waitReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new HarnessError(`lambda environment exited during init (${code})`))
    child.once('exit', onExit)
    child.once('message', (message: { ready?: boolean; importMs?: number }) => {
      child.off('exit', onExit)
      if (message.ready) resolve(message.importMs ?? 0)
      else reject(new HarnessError('lambda environment sent no ready message'))
    })
  })
}

function createEnvironment(child: ChildProcess, sampler: RssSampler, importMs: number): LambdaEnvironment {
  let next = 0
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  child.on('message', (message: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
    const waiter = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiter || message.id === undefined) return
    pending.delete(message.id)
    if (message.ok) waiter.resolve(message.result)
    else waiter.reject(new HarnessError(`handler failed: ${message.error}`))
  })
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new HarnessError(`lambda environment exited (${code})`))
    pending.clear()
  })
  return {
    pid: child.pid as number,
    importMs,
    invoke: (event, timeoutMs = DEFAULT_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        const id = next++
        pending.set(id, { resolve, reject })
        child.send({ id, event, timeoutMs })
      }),
    peakRssBytes: () => sampler.peek().peakBytes,
    stop: () =>
      new Promise<void>((resolve) => {
        sampler.stop()
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  }
}
