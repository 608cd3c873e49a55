// Builds the app in-process over fakes (memory store, fake registry fetch) for unit and pipeline tests.
import { createApp } from '../../src/app.ts'
import { parseConfig } from '../../src/config.ts'
import { buildCatalog } from '../../src/core/catalog.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import type { Deps } from '../../src/deps.ts'
import type { CreateAppRouter } from '../../src/app.ts'
import type { LogFields, Logger } from '../../src/log.ts'
import { runWorkItem } from '../../src/pipeline/run-work-item.ts'
import { parseWorkItem } from '../../src/pipeline/work-item.ts'
import { createNodeRouter } from '../../src/runtime/node/node-router.ts'
import { createTaskQueue } from '../../src/runtime/node/task-queue.ts'
import { createRegistryClient } from '../../src/registry/http-client.ts'
import { createMemoryStore } from '../../src/state/memory-store.ts'
import type { StateStore } from '../../src/state/store.ts'

export interface LogRecord {
  level: string
  message: string
  fields: LogFields
}

/** A test app with its deps, a log recorder and a way to wait for deferred work. */
export interface TestApp {
  app: ReturnType<typeof createApp>
  deps: Deps
  logs: LogRecord[]
  idle(): Promise<void>
  request(path: string, init?: RequestInit): Promise<Response>
}

export const TOKEN = 's3cret'

/** Creates the app over `configInput` with the given fetch (usually a fake registry's). */
export function createTestApp(configInput: unknown, options: { fetch: typeof fetch; store?: StateStore; now?: () => Date; router?: CreateAppRouter }): TestApp {
  const config = parseConfig(configInput)
  const logs: LogRecord[] = []
  const record = (level: string) => (message: string, fields: LogFields = {}) => void logs.push({ level, message, fields })
  const log: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
  const deps: Deps = {
    config,
    catalog: buildCatalog(config.images),
    // Expiry follows the app's clock, as it follows the host's in production.
    store: options.store ?? createMemoryStore({ now: () => deps.now().getTime() }),
    registry: createRegistryClient({ fetch: options.fetch, registries: config.registries, log, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } }),
    log,
    now: options.now ?? (() => new Date('2026-11-27T12:00:00.000Z')),
    work: { enqueue: async (item) => tasks.enqueue(item) },
    budget: { deadline: Number.POSITIVE_INFINITY, requests: Number.POSITIVE_INFINITY },
  }
  // The Node queue without its bounds: items start at once unless their key is running; each
  // passes through JSON as a runtime would hand it over.
  const tasks = createTaskQueue({
    maxRunning: Number.POSITIVE_INFINITY,
    maxWaiting: Number.POSITIVE_INFINITY,
    log,
    run: (item) => runWorkItem(deps, parseWorkItem(JSON.parse(JSON.stringify(item)))),
    catchUp: async () => {},
  })
  const app = createApp(deps, options.router ?? createNodeRouter)
  const idle = tasks.idle
  const request = async (path: string, init?: RequestInit) => app.request(`http://manifest-hook.test${path}`, init)
  return { app, deps, logs, idle, request }
}

/** One event of a distribution notification envelope. */
export interface PushEventSpec {
  repository: string
  tag?: string
  digest?: string
  mediaType?: string
  action?: string
  host?: string
  references?: { mediaType: string; digest: string; size: number }[]
  timestamp?: string
}

/** Builds a distribution notification body (v1 envelope) from event specs. */
export function distributionBody(events: PushEventSpec[]): string {
  return JSON.stringify({
    events: events.map((event, i) => ({
      id: `event-${i}`,
      ...(event.timestamp ? { timestamp: event.timestamp } : {}),
      action: event.action ?? 'push',
      target: {
        mediaType: event.mediaType ?? MEDIA_TYPES.dockerManifest,
        ...(event.digest ? { digest: event.digest } : {}),
        repository: event.repository,
        ...(event.tag ? { tag: event.tag } : {}),
        ...(event.references ? { references: event.references } : {}),
      },
      request: { host: event.host ?? 'registry.test', method: 'PUT' },
    })),
  })
}

/** POSTs a distribution notification to the app. */
export function postDistribution(test: TestApp, events: PushEventSpec[], token = TOKEN): Promise<Response> {
  return test.request('/webhooks/distribution', {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${token}` },
    body: distributionBody(events),
  })
}
