/**
 * The dependencies the app and pipeline run on. Each runtime (src/runtime/*) builds one; tests
 * build their own with fakes. Types only.
 */
import type { AppConfig, ImageConfig } from './config.ts'
import type { Catalog } from './core/catalog.ts'
import type { Logger } from './log.ts'
import type { RegistryClient } from './registry/registry-client.ts'
import type { StateStore } from './state/store.ts'

/** Hints for a runtime that queues deferred work. */
export interface DeferOptions {
  /** The task may be skipped while another task with this key has not started yet. */
  key?: string
  /**
   * The image the task works on: under overload the task may be dropped, and the runtime then
   * catches up on this image from the store (catchUp) once it has drained.
   */
  scope?: string
}

export interface Deps {
  config: AppConfig
  catalog: Catalog<ImageConfig>
  store: StateStore
  registry: RegistryClient
  log: Logger
  /** The clock (injected so that tests and the core never read the host's time directly). */
  now: () => Date
  /** Runs work after the webhook has been answered (waitUntil on Workers, a bounded queue on Node). */
  defer: (task: () => Promise<void>, options?: DeferOptions) => void
  /** Serialises work per key inside one process (cross-process safety comes from the store). */
  serialize: <T>(key: string, task: () => Promise<T>) => Promise<T>
}
