/**
 * Node composition root: SQLite state, undici-backed registry client, the Hono app on
 * 127.0.0.1 through @hono/node-server, work items run by an in-process queue, and the periodic sweep.
 */
import { serve, type ServerType } from '@hono/node-server'
import { createHash } from 'node:crypto'
import { compile } from 'zod/mini'
import { createApp } from '../../app.ts'
import type { AppConfig } from '../../config.ts'
import { buildCatalog } from '../../core/catalog.ts'
import { setSchemaCompiler } from '../../core/parse-with-schema.ts'
import type { Deps } from '../../deps.ts'
import { createJsonLogger, type Logger } from '../../log.ts'
import { catchUp } from '../../pipeline/catch-up.ts'
import { runWorkItem } from '../../pipeline/run-work-item.ts'
import { createRegistryClient, registryLimits } from '../../registry/http-client.ts'
import { createSqliteStore } from '../../state/sqlite-store.ts'
import type { StateStore } from '../../state/store.ts'
import { createNodeMetrics, serveMetrics } from './metrics.ts'
import { createNodeRouter } from './node-router.ts'
import { createTaskQueue, type TaskQueue } from './task-queue.ts'
import { createUndiciFetch } from './undici-fetch.ts'

export interface NodeServerOptions {
  config: AppConfig
  /** SQLite file; `:memory:` for a throw-away store. */
  dataPath: string
  host?: string
  port?: number
  log?: Logger
  fetch?: typeof fetch
  store?: StateStore
  /** The clock (tests and the bench move it). */
  now?: () => Date
  /** Work items run at once, and allowed to wait before the queue drops work and catches up later. */
  maxRunningTasks?: number
  maxWaitingTasks?: number
}

/** A running server. */
export interface NodeServer {
  url: string
  port: number
  deps: Deps
  /** Resolves when every work item queued so far has run. */
  idle(): Promise<void>
  close(): Promise<void>
}

/** `sha256:<hex>` through node:crypto: synchronous, so small manifests skip Web Crypto's thread-pool round trip. */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

// Node allows code generation: a schema parsed this often (webhook bodies, registry documents) is
// compiled by zod, which costs a few milliseconds once and then parses about 20 times faster.
const HOT_SCHEMA_PARSES = 100

/** Starts the server and its sweep timer. */
export async function startNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  setSchemaCompiler({ compile, after: HOT_SCHEMA_PARSES })
  const log = options.log ?? createJsonLogger((line) => process.stdout.write(`${line}\n`))
  const store = options.store ?? createSqliteStore(options.dataPath)
  const metrics = createNodeMetrics({ waiting: () => tasks.waiting() })
  const deps: Deps = {
    config: options.config,
    catalog: buildCatalog(options.config.images),
    store,
    registry: createRegistryClient({ fetch: metrics.countRequests(options.fetch ?? createUndiciFetch()), registries: options.config.registries, log, computeDigest: sha256Digest, ...registryLimits(options.config.server) }),
    log,
    now: options.now ?? (() => new Date()),
    work: { enqueue: async (item) => tasks.enqueue(item) },
    // A webhook only records and enqueues; the budget matters to the work items (see withBudget).
    budget: { deadline: Number.POSITIVE_INFINITY, requests: Number.POSITIVE_INFINITY },
    metrics: metrics.metrics,
  }
  const tasks = createTaskQueue({
    maxRunning: options.maxRunningTasks ?? MAX_RUNNING_TASKS,
    maxWaiting: options.maxWaitingTasks ?? MAX_WAITING_TASKS,
    log,
    run: (item) => runWorkItem(withBudget(deps), item),
    catchUp: async (scopes) => void (await catchUp(deps, scopes)),
  })
  for (const warning of options.config.warnings) log.warn(warning)
  const app = createApp(deps, createNodeRouter)
  serveMetrics(app, deps, metrics)
  const { server, port } = await listen(app.fetch, options.host ?? options.config.server.host, options.port ?? options.config.server.port, options.config)
  const timer = startSweeps(deps, tasks)
  const idle = tasks.idle
  const close = async () => {
    clearInterval(timer)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await idle()
    await store.close?.()
  }
  return { url: `http://${options.host ?? options.config.server.host}:${port}`, port, deps, idle, close }
}

// Work items in flight at once, and waiting; beyond that the queue drops work and
// catches up from the store once drained (see task-queue.ts), so a burst cannot grow memory.
const MAX_RUNNING_TASKS = 32
const MAX_WAITING_TASKS = 2_000

// One work item's budget on Node: a slice of a sweep hands the rest on after this long or this many
// registry calls, so that other work (new arrivals) gets its turn between slices.
const ITEM_BUDGET_MS = 30_000
const ITEM_BUDGET_REQUESTS = 2_000

function withBudget(deps: Deps): Deps {
  return { ...deps, budget: { deadline: deps.now().getTime() + ITEM_BUDGET_MS, requests: ITEM_BUDGET_REQUESTS } }
}

function startSweeps(deps: Deps, tasks: TaskQueue): ReturnType<typeof setInterval> | undefined {
  // Keyed: a sweep still waiting behind a burst is not queued twice.
  const run = () => tasks.enqueue({ kind: 'sweep' })
  run()
  const seconds = deps.config.server.sweepIntervalSeconds
  if (seconds <= 0) return undefined
  const timer = setInterval(run, seconds * 1000)
  timer.unref()
  return timer
}

// A request (headers and body) must arrive within server.requestTimeoutSeconds, else Node answers
// 408 and closes the connection; Node checks every connectionsCheckingInterval (30 s by default,
// so a stalled upload lived 300-330 s before; now every 250 ms). Beyond maxConnections, new sockets are closed at once.
function listen(fetchHandler: (request: Request) => Response | Promise<Response>, hostname: string, port: number, config: AppConfig): Promise<{ server: ServerType; port: number }> {
  const timeoutMs = config.server.requestTimeoutSeconds * 1000
  const serverOptions = { requestTimeout: timeoutMs, headersTimeout: timeoutMs, connectionsCheckingInterval: Math.min(250, timeoutMs) }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetchHandler, hostname, port, serverOptions }, (info) => resolve({ server, port: info.port }))
    server.maxConnections = config.server.maxConnections
    server.once('error', reject)
  })
}
