/**
 * Node composition root: SQLite state, undici-backed registry client, the Hono app on
 * 127.0.0.1 through @hono/node-server, deferred work tracked in-process, and the periodic sweep.
 */
import { serve, type ServerType } from '@hono/node-server'
import { Agent, fetch as undiciFetch } from 'undici'
import { createApp } from '../app.ts'
import type { AppConfig } from '../config.ts'
import { buildCatalog } from '../core/catalog.ts'
import type { Deps } from '../deps.ts'
import { createJsonLogger, type Logger } from '../log.ts'
import { createKeyedQueue } from '../pipeline/keyed-queue.ts'
import { sweep } from '../pipeline/sweep.ts'
import { createRegistryClient } from '../registry/http-client.ts'
import { createSqliteStore } from '../state/sqlite-store.ts'
import type { StateStore } from '../state/store.ts'

export interface NodeServerOptions {
  config: AppConfig
  /** SQLite file; `:memory:` for a throw-away store. */
  dataPath: string
  host?: string
  port?: number
  log?: Logger
  fetch?: typeof fetch
  store?: StateStore
}

/** A running server. */
export interface NodeServer {
  url: string
  port: number
  deps: Deps
  /** Resolves when every deferred task started so far has finished. */
  idle(): Promise<void>
  close(): Promise<void>
}

/** Creates a fetch that goes through one keep-alive undici agent. */
export function createUndiciFetch(): typeof fetch {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 })
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof fetch
}

/** Starts the server and its sweep timer. */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  const log = options.log ?? createJsonLogger((line) => process.stdout.write(`${line}\n`))
  const store = options.store ?? createSqliteStore(options.dataPath)
  const tasks = new Set<Promise<void>>()
  const deps: Deps = {
    config: options.config,
    catalog: buildCatalog(options.config.images),
    store,
    registry: createRegistryClient({ fetch: options.fetch ?? createUndiciFetch(), registries: options.config.registries, log }),
    log,
    now: () => new Date(),
    defer: (task) => track(tasks, task, log),
    serialize: createKeyedQueue(),
  }
  const app = createApp(deps)
  const { server, port } = await listen(app.fetch, options.host ?? options.config.server.host, options.port ?? options.config.server.port)
  const timer = startSweeps(deps, tasks)
  const idle = async () => {
    while (tasks.size > 0) await Promise.allSettled([...tasks])
  }
  const close = async () => {
    clearInterval(timer)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await idle()
    await store.close?.()
  }
  return { url: `http://${options.host ?? options.config.server.host}:${port}`, port, deps, idle, close }
}

function track(tasks: Set<Promise<void>>, task: () => Promise<void>, log: Logger): void {
  const running = task().catch((error) => log.error('background task failed', { error }))
  tasks.add(running)
  void running.finally(() => tasks.delete(running))
}

function startSweeps(deps: Deps, tasks: Set<Promise<void>>): ReturnType<typeof setInterval> | undefined {
  const run = () => track(tasks, async () => void (await sweep(deps)), deps.log)
  run()
  const seconds = deps.config.server.sweepIntervalSeconds
  if (seconds <= 0) return undefined
  const timer = setInterval(run, seconds * 1000)
  timer.unref()
  return timer
}

function listen(fetchHandler: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetchHandler, hostname, port }, (info) => resolve({ server, port: info.port }))
    server.once('error', reject)
  })
}
