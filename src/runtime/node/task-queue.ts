/**
 * The Node runtime's deferred work: at most `maxRunning` tasks at a time, the rest waiting in
 * arrival order. Every acknowledged arrival is already durable in the store, so under a burst the
 * queue drops scoped work (work about one image) beyond `maxWaiting` instead of growing without
 * bound, remembers only which scopes lost work, and once drained runs `catchUp` for those, which
 * finds the unfinished work in the store. Memory is bounded by the number of images, not the burst.
 * A keyed task that is still waiting absorbs later tasks with the same key: the one that runs reads
 * the newest state anyway, so a burst of arrivals for one version costs one run.
 */
import type { DeferOptions } from '../../deps.ts'
import type { Logger } from '../../log.ts'

export interface TaskQueue {
  /** Queues `task`; see DeferOptions for keys and scopes. */
  defer(task: () => Promise<void>, options?: DeferOptions): void
  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void>
  /** Tasks waiting to start. */
  waiting(): number
}

export interface TaskQueueOptions {
  maxRunning: number
  /** Scoped tasks allowed to wait; unscoped ones (a sweep, a catch-up) are never dropped. */
  maxWaiting: number
  log: Logger
  /** Finds and runs from the store whatever the dropped tasks of these scopes would have done. */
  catchUp: (scopes: string[]) => Promise<void>
}

interface Waiting {
  task: () => Promise<void>
  key: string | undefined
}

/** Creates the queue; task failures are logged, never thrown. */
export function createTaskQueue(options: TaskQueueOptions): TaskQueue {
  const { maxRunning, maxWaiting, log } = options
  const running = new Set<Promise<void>>()
  const waiting = createFifo()
  const waitingKeys = new Set<string>()
  const dropped = new Set<string>()
  const next = () => {
    const entry = waiting.shift()
    if (entry?.key !== undefined) waitingKeys.delete(entry.key)
    return entry
  }
  const start = (entry: Waiting) => {
    const promise = (async () => entry.task())().catch((error) => log.error('background task failed', { error }))
    running.add(promise)
    void promise.finally(() => {
      running.delete(promise)
      const following = next()
      if (following) start(following)
      else if (dropped.size > 0) drained()
    })
  }
  const drained = () => {
    const scopes = [...dropped]
    dropped.clear()
    log.info('deferred work drained; catching up on the work it dropped', { scopes: scopes.length })
    queue.defer(() => options.catchUp(scopes))
  }
  const drop = (scope: string) => {
    if (dropped.size === 0) log.warn('deferred work queue full: dropping work until it drains, then catching up from the store', { maxWaiting })
    dropped.add(scope)
  }
  const queue: TaskQueue = {
    defer(task, { key, scope } = {}) {
      if (key !== undefined && waitingKeys.has(key)) return
      if (scope !== undefined && waiting.size() >= maxWaiting) return drop(scope)
      waiting.push({ task, key })
      if (key !== undefined) waitingKeys.add(key)
      while (running.size < maxRunning) {
        const entry = next()
        if (!entry) break
        start(entry)
      }
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running])
    },
    waiting: () => waiting.size(),
  }
  return queue
}

// An array used as a queue whose consumed prefix is dropped once it dominates, so that shifting
// stays O(1) and a long burst does not keep dead slots.
function createFifo() {
  let items: Array<Waiting | undefined> = []
  let head = 0
  return {
    push: (item: Waiting) => void items.push(item),
    size: () => items.length - head,
    shift(): Waiting | undefined {
      const item = items[head]
      if (!item) return undefined
      items[head++] = undefined
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head)
        head = 0
      }
      return item
    },
  }
}
