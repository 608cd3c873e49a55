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
  const tasks: TaskQueue = { running: new Set(), waiting: [], log }
  const deps: Deps = {
    config: options.config,
    catalog: buildCatalog(options.config.images),
    store,
    registry: createRegistryClient({ fetch: options.fetch ?? createUndiciFetch(), registries: options.config.registries, log }),
    log,
    now: () => new Date(),
    defer: (task) => track(tasks, task),
    serialize: createKeyedQueue(),
  }
  for (const warning of options.config.warnings) log.warn(warning)
  const app = createApp(deps)
  const { server, port } = await listen(app.fetch, options.host ?? options.config.server.host, options.port ?? options.config.server.port)
  const timer = startSweeps(deps, tasks)
  const idle = async () => {
    while (tasks.running.size > 0) await Promise.allSettled([...tasks.running])
  }
  const close = async () => {
    clearInterval(timer)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await idle()
    await store.close?.()
  }
  return { url: `http://${options.host ?? options.config.server.host}:${port}`, port, deps, idle, close }
}

// Deferred work runs at most MAX_RUNNING_TASKS at a time, the rest waiting in arrival order: under
// a burst of webhooks this bounds the memory held by in-flight registry calls (each holds fetch
// state), while every acknowledged arrival is already durable in the store.
const MAX_RUNNING_TASKS = 32

interface TaskQueue {
  running: Set<Promise<void>>
  waiting: Array<() => Promise<void>>
  log: Logger
}

function track(queue: TaskQueue, task: () => Promise<void>): void {
  queue.waiting.push(task)
  while (queue.running.size < MAX_RUNNING_TASKS && queue.waiting.length > 0) start(queue, queue.waiting.shift() as () => Promise<void>)
}

function start(queue: TaskQueue, task: () => Promise<void>): void {
  const running = (async () => task())().catch((error) => queue.log.error('background task failed', { error }))
  queue.running.add(running)
  void running.finally(() => {
    queue.running.delete(running)
    const next = queue.waiting.shift()
    if (next) start(queue, next)
  })
}

function startSweeps(deps: Deps, tasks: TaskQueue): ReturnType<typeof setInterval> | undefined {
  const run = () => track(tasks, async () => void (await sweep(deps)))
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
