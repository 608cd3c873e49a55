/**
 * The dependencies the app and pipeline run on. Each runtime (src/runtime/*) builds one; tests
 * build their own with fakes. Types only.
 */
import type { AppConfig, ImageConfig } from './config.ts'
import type { Catalog } from './core/catalog.ts'
import type { Logger } from './log.ts'
import type { IngestReport, MatchedArrival } from './pipeline/ingest-delivery.ts'
import type { WorkItem } from './pipeline/work-item.ts'
import type { Metrics } from './metrics.ts'
import type { RegistryClient } from './registry/registry-client.ts'
import type { StateStore } from './state/store.ts'

/** Where work items go: each runtime queues them (Node), invokes itself (Lambda) or schedules them (Workers). */
export interface WorkQueue {
  /** Accepts the item; resolves once it is handed over (not when it has run). */
  enqueue(item: WorkItem): Promise<void>
}

/** Where matched arrivals are recorded when not in this call's own store (Workers: the image's object). */
export interface ArrivalRecorder {
  /** Records them and queues their work; resolves with each one's report entry, in order, once all are stored. */
  record(arrivals: MatchedArrival[]): Promise<IngestReport['accepted']>
}

/**
 * What one call (a webhook, one work item, one scheduled tick) may spend before it hands the rest
 * on as work items; each runtime sets it per call (Lambda: its remaining time; Workers: its
 * subrequest limit).
 */
export interface Budget {
  /** Epoch ms (on `now()`'s clock) by which the call stops starting new work. */
  deadline: number
  /** Registry calls the call may start. */
  requests: number
}

export interface Deps {
  config: AppConfig
  catalog: Catalog<ImageConfig>
  store: StateStore
  registry: RegistryClient
  log: Logger
  /** The clock (injected so that tests and the core never read the host's time directly). */
  now: () => Date
  /** Work to run after the current call (pipeline/work-item.ts); correctness never rests on it running only once. */
  work: WorkQueue
  /** Absent: a delivery's arrivals are recorded through `store` and `work` in the webhook's own call. */
  arrivals?: ArrivalRecorder
  budget: Budget
  /** Counters and histograms (see metrics.ts); absent means none are kept. */
  metrics?: Metrics
}
