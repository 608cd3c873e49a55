/**
 * Workers composition root: the Deps one invocation runs on (the Worker's fetch or scheduled
 * handler, or one call of an image's object). The Worker hands a webhook's arrivals to each
 * image's object, which records them; other state calls go to the object that owns each key's
 * partition; work items go to their image's object; registry requests use the global fetch,
 * counted against the invocation's subrequest budget.
 */
import type { AppConfig } from '../../config.ts'
import { buildCatalog, type Catalog } from '../../core/catalog.ts'
import type { ImageConfig } from '../../config.ts'
import type { Deps } from '../../deps.ts'
import { createJsonLogger, type Logger } from '../../log.ts'
import type { WorkItem } from '../../pipeline/work-item.ts'
import { createRegistryClient, registryLimits } from '../../registry/http-client.ts'
import type { RegistryClient } from '../../registry/registry-client.ts'
import { GLOBAL_PARTITION, type StateStore } from '../../state/store.ts'
import { createArrivalRouter } from './arrival-router.ts'
import type { ImageObject } from './image-object.ts'
import { createRoutedStore } from './routed-store.ts'
import type { SubrequestBudget } from './subrequest-budget.ts'
import { loadWorkerConfig } from './worker-config.ts'
import type { DurableObjectNamespace, DurableObjectStub } from './workers-types.ts'

/** The Worker's bindings (infra/cloudflare/wrangler.jsonc) plus its vars and secrets. */
export interface WorkerEnv {
  IMAGES: DurableObjectNamespace<ImageObject>
  MANIFEST_HOOK_CONFIG?: string
  MANIFEST_HOOK_SUBREQUESTS?: string
  [name: string]: unknown
}

/** What one invocation adds to the shared parts. */
export interface InvocationOptions {
  budget: SubrequestBudget
  /** Epoch ms by which this invocation should be done. */
  deadline: number
  /** A client kept across invocations (an object keeps its registry tokens); default: a new one. */
  registry?: RegistryClient
  /** The partition this object owns, its store, and how it queues its own items. */
  local?: { partition: string; store: StateStore; enqueue(item: WorkItem): Promise<void> }
}

const catalogs = new WeakMap<AppConfig, Catalog<ImageConfig>>()
const log: Logger = createJsonLogger((line) => console.log(line))

/** The object that owns `partition` (an image target, or GLOBAL_PARTITION). */
export function objectFor(env: WorkerEnv, partition: string): DurableObjectStub<ImageObject> {
  return env.IMAGES.get(env.IMAGES.idFromName(partition))
}

/** The registry client on the global fetch, counted by `budget`. */
export function createWorkerRegistry(config: AppConfig, budget: SubrequestBudget): RegistryClient {
  return createRegistryClient({ fetch: budget.fetch, registries: config.registries, log, ...registryLimits(config.server) })
}

/** Builds the Deps of one invocation. */
export function createWorkerDeps(env: WorkerEnv, options: InvocationOptions): Deps {
  const config = loadWorkerConfig(env)
  let catalog = catalogs.get(config)
  if (!catalog) catalogs.set(config, (catalog = buildCatalog(config.images)))
  const { local, budget } = options
  return {
    config,
    catalog,
    store: createRoutedStore((partition) => objectFor(env, partition), local),
    // In the Worker; an object records in its own store (none reaches it: webhooks come to the Worker).
    ...(local ? {} : { arrivals: createArrivalRouter((image) => objectFor(env, image), log) }),
    registry: options.registry ?? createWorkerRegistry(config, budget),
    log,
    now: () => new Date(),
    work: {
      async enqueue(item) {
        const partition = ('image' in item && item.image) || GLOBAL_PARTITION
        if (local && partition === local.partition) await local.enqueue(item)
        else await objectFor(env, partition).enqueue(item)
      },
    },
    // Registry calls this call may start: half the requests left in the invocation, since one call
    // can be a few requests (a token, a retry, a mount and its fallback); the counted fetch is the hard stop.
    budget: { deadline: options.deadline, requests: Math.floor(budget.remaining() / 2) },
  }
}
