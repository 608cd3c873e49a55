/**
 * The Durable Object of one image (`IMAGES.idFromName(target)`), and of the global keys (the
 * "#global" object: the sweep record). It owns its partition's state in its SQLite storage: it
 * records its image's webhook arrivals itself (`recordArrivals`, one call per delivery, stored and
 * their work queued before it resolves) and answers the Worker's other state calls (status,
 * reconcile) over RPC. It runs its queued work items from its alarm, one at a time: retries back
 * off in the queue, and a version left waiting gets a light sweep of the image (and one at its
 * deadline) without waiting for the next Cron Trigger.
 */
import { DurableObject } from 'cloudflare:workers'
import type { AppConfig } from '../../config.ts'
import { decideVersion, type VersionState } from '../../core/version-state.ts'
import type { Deps } from '../../deps.ts'
import { recordArrivals, type IngestReport } from '../../pipeline/ingest-delivery.ts'
import { runWorkItem } from '../../pipeline/run-work-item.ts'
import { parseWorkItem, workItemKey, type WorkItem } from '../../pipeline/work-item.ts'
import type { RegistryClient } from '../../registry/registry-client.ts'
import { GLOBAL_PARTITION, versionKey, type SaveResult, type StateStore } from '../../state/store.ts'
import type { ArrivalObject } from './arrival-router.ts'
import { parseArrivals } from './arrivals-input.ts'
import { createDurableObjectStore } from './durable-object-store.ts'
import { createSubrequestBudget, parseSubrequestLimit, SubrequestLimitError, type SubrequestBudget } from './subrequest-budget.ts'
import { createWorkQueue, type QueuedWork, type WorkQueue } from './work-queue.ts'
import { loadWorkerConfig } from './worker-config.ts'
import { createWorkerDeps, createWorkerRegistry, type WorkerEnv } from './worker-deps.ts'
import type { DurableObjectState } from './workers-types.ts'

/** The store calls an object answers over RPC (the Worker's status and reconcile routes, other objects' sweeps). */
export type StoreMethods = Pick<StateStore, 'load' | 'save' | 'delete' | 'list'>

// An alarm is an invocation of its own: up to 15 minutes of wall time
// (https://developers.cloudflare.com/durable-objects/api/alarms/); we stop starting items well before.
const ALARM_WALL_MS = 10 * 60_000
// Failed items wait 30 s, 1, 2, 4 ... up to 15 minutes; after 8 failures the item is dropped (the
// ledger keeps the failure, and the Cron Trigger's sweeps retry unfinished versions anyway).
const RETRY_BASE_MS = 30_000
const RETRY_MAX_MS = 15 * 60_000
const MAX_ATTEMPTS = 8

export class ImageObject extends DurableObject implements StoreMethods, ArrivalObject {
  readonly #state: DurableObjectState
  readonly #env: WorkerEnv
  readonly #store: StateStore
  readonly #queue: WorkQueue<WorkItem>
  readonly #budget: SubrequestBudget
  #registry: { config: AppConfig; client: RegistryClient } | undefined
  #conflicts = 0

  constructor(ctx: DurableObjectState, env: WorkerEnv) {
    super(ctx, env)
    this.#state = ctx
    this.#env = env
    this.#store = countConflicts(createDurableObjectStore(ctx.storage.sql), () => this.#conflicts++)
    this.#queue = createWorkQueue(ctx.storage.sql)
    this.#budget = createSubrequestBudget(parseSubrequestLimit(env.MANIFEST_HOOK_SUBREQUESTS))
  }

  load(key: string) {
    return this.#store.load(key)
  }
  save(...args: Parameters<StateStore['save']>) {
    return this.#store.save(...args)
  }
  delete(key: string, expectedVersion: number) {
    return this.#store.delete(key, expectedVersion)
  }
  list(...args: Parameters<StateStore['list']>) {
    return this.#store.list(...args)
  }

  /**
   * Records a delivery's arrivals of this image and queues their process/recover items, all
   * stored before this resolves. The storage calls are synchronous, so no other call of this
   * object runs in between: concurrent deliveries of one image are recorded one after another.
   */
  async recordArrivals(input: unknown): Promise<IngestReport['accepted']> {
    const arrivals = parseArrivals(input)
    if (arrivals[0] === undefined) return []
    const accepted = await recordArrivals(this.#deps(arrivals[0].image, Date.now()), arrivals)
    await this.#setAlarm()
    return accepted
  }

  /**
   * Saves and deletes of this object's store refused for a changed version since the object
   * started (diagnostics, tests). Recording arrivals never loses one; a caller that loads and
   * saves in separate RPC calls (POST /reconcile in the Worker), or a work item that saves what
   * it loaded before a registry request, can, and retries.
   */
  conflicts(): number {
    return this.#conflicts
  }

  /** Queues a work item (stored before this resolves) and sets the alarm to run it. */
  async enqueue(input: unknown): Promise<void> {
    const item = parseWorkItem(input)
    this.#queue.add(workItemKey(item), item, Date.now())
    await this.#setAlarm()
  }

  /** How many items wait, and when the next is due (for status and tests). */
  queued(): { size: number; nextDue?: number } {
    const nextDue = this.#queue.nextDue()
    return { size: this.#queue.size(), ...(nextDue === undefined ? {} : { nextDue }) }
  }

  /** Runs the due items one after another; what remains sets the next alarm. */
  async alarm(): Promise<void> {
    const started = Date.now()
    this.#budget.reset()
    for (const work of this.#queue.due(started)) {
      if (Date.now() - started > ALARM_WALL_MS) break
      const deps = this.#deps(('image' in work.item && work.item.image) || GLOBAL_PARTITION, started)
      const finished = await this.#run(deps, work)
      if (!finished) break
    }
    await this.#setAlarm()
  }

  // Runs one item; false when the invocation's subrequest budget ran out (the rest waits for the
  // next alarm). An item that used the budget up goes back due at once, finished or not: the
  // pipeline records per-arch progress, so the next invocation continues where this one stopped.
  async #run(deps: Deps, work: QueuedWork<WorkItem>): Promise<boolean> {
    let failure: { error: unknown } | undefined
    try {
      await runWorkItem(deps, work.item)
    } catch (error) {
      failure = { error }
    }
    if (this.#budget.remaining() <= 0) {
      this.#fail(deps, work, failure?.error ?? new SubrequestLimitError(`used all ${this.#budget.used()} registry requests this invocation may make`), true)
      return false
    }
    if (failure) {
      this.#fail(deps, work, failure.error, false)
      return true
    }
    this.#queue.done(work)
    if (work.item.kind === 'process') await this.#scheduleFollowUp(deps, work.item.image, work.item.version)
    return true
  }

  #fail(deps: Deps, work: QueuedWork<WorkItem>, error: unknown, exhausted: boolean): void {
    const attempts = work.attempts + 1
    const fields = { item: work.item, attempts, error, ...(exhausted ? { subrequests: this.#budget.used() } : {}) }
    if (attempts >= MAX_ATTEMPTS) {
      const why = exhausted
        ? `needs more registry requests than ${MAX_ATTEMPTS} invocations of ${this.#budget.used()} each could make: raise MANIFEST_HOOK_SUBREQUESTS (Workers Paid allows 10,000)`
        : 'failed too often'
      deps.log.error(`work item ${why}; dropped (the sweep retries unfinished versions)`, fields)
      this.#queue.done(work)
      return
    }
    // Out of subrequests: the next alarm has a fresh budget, so it may continue at once.
    const delay = exhausted ? 0 : Math.min(RETRY_BASE_MS * 2 ** work.attempts, RETRY_MAX_MS)
    deps.log[exhausted ? 'warn' : 'error'](exhausted ? 'subrequest budget of this invocation used up; the work item continues in the next alarm' : 'work item failed; retried later', { ...fields, retryInMs: delay })
    this.#queue.retry(work, Date.now() + delay)
  }

  // A version still waiting for arches gets a light sweep of its image after the sweep interval
  // (HEADs find arch tags whose webhook was lost) and at its deadline, if it has one.
  async #scheduleFollowUp(deps: Deps, imageName: string, version: string): Promise<void> {
    const image = deps.catalog.image(imageName)
    const state = (await this.#store.load(versionKey(imageName, version)))?.value as VersionState | undefined
    if (!image || !state || state.expired) return
    const decision = decideVersion(state, image.targetNames)
    if (decision.kind !== 'waiting' && decision.kind !== 'stale') return
    const interval = deps.config.server.sweepIntervalSeconds * 1000
    const deadline = image.deadline ? Date.parse(state.createdAt) + image.deadline.ms : Number.POSITIVE_INFINITY
    const due = Math.min(interval > 0 ? Date.now() + interval : Number.POSITIVE_INFINITY, deadline)
    if (!Number.isFinite(due)) return
    const sweep: WorkItem = { kind: 'sweep', image: imageName, full: false }
    this.#queue.add(workItemKey(sweep), sweep, due)
  }

  // The Deps of one call of this object, which owns `partition`.
  #deps(partition: string, started: number): Deps {
    const enqueue = async (next: WorkItem) => void this.#queue.add(workItemKey(next), next, Date.now())
    const config = loadWorkerConfig(this.#env)
    // One client per object and configuration: its tokens outlive an alarm; its fetch counts per alarm.
    if (this.#registry?.config !== config) this.#registry = { config, client: createWorkerRegistry(config, this.#budget) }
    const local = { partition, store: this.#store, enqueue }
    return createWorkerDeps(this.#env, { budget: this.#budget, deadline: started + ALARM_WALL_MS, registry: this.#registry.client, local })
  }

  // The alarm always points at the earliest due item (none: no alarm).
  async #setAlarm(): Promise<void> {
    const next = this.#queue.nextDue()
    const current = await this.#state.storage.getAlarm()
    if (next === undefined) {
      if (current !== null) await this.#state.storage.deleteAlarm()
    } else if (current === null || current > next) {
      await this.#state.storage.setAlarm(next)
    }
  }
}

// Counts the saves and deletes `store` refuses with a conflict.
function countConflicts(store: StateStore, onConflict: () => void): StateStore {
  const counted = (result: SaveResult): SaveResult => {
    if (!result.ok && result.reason === 'conflict') onConflict()
    return result
  }
  return {
    load: (key) => store.load(key),
    save: async (...args) => counted(await store.save(...args)),
    delete: async (...args) => counted(await store.delete(...args)),
    list: (...args) => store.list(...args),
  }
}
