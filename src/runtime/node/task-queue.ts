/**
 * The Node runtime's work queue: at most `maxRunning` work items at a time, the rest waiting in
 * arrival order. Every acknowledged arrival is already durable in the store, so under a burst the
 * queue drops items about one image (workItemScope) beyond `maxWaiting` instead of growing without
 * bound, remembers only which images lost work, and once drained runs `catchUp` for those, which
 * finds the unfinished work in the store. Memory is bounded by the number of images, not the burst.
 * An item that is still waiting absorbs later items with the same key (workItemKey): the one that
 * runs reads the newest state anyway, so a burst of arrivals for one version costs one run. An item
 * whose key is running waits for that run to finish (two arches of one version arriving at once
 * are resolved once, not twice); correctness across processes still rests on the store's versions.
 */
import type { Logger } from '../../log.ts'
import { workItemKey, workItemScope, type WorkItem } from '../../pipeline/work-item.ts'

export interface TaskQueue {
  /** Queues `item` (or drops it, see above). */
  enqueue(item: WorkItem): void
  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void>
  /** Items waiting to start. */
  waiting(): number
}

export interface TaskQueueOptions {
  maxRunning: number
  /** Scoped items allowed to wait; unscoped ones (sweeps) and catch-ups are never dropped. */
  maxWaiting: number
  log: Logger
  /** Runs one item (runWorkItem over the runtime's deps). */
  run: (item: WorkItem) => Promise<void>
  /** Finds and runs from the store whatever the dropped items of these images would have done. */
  catchUp: (scopes: string[]) => Promise<void>
}

interface Waiting {
  run: () => Promise<void>
  key: string | undefined
}

/** Creates the queue; failures are logged, never thrown. */
export function createTaskQueue(options: TaskQueueOptions): TaskQueue {
  const { maxRunning, maxWaiting, log } = options
  const running = new Set<Promise<void>>()
  const runningKeys = new Set<string>()
  const waiting = createFifo()
  const waitingKeys = new Set<string>()
  // Items whose key was running when their turn came: they start when that run ends.
  const held = new Map<string, Waiting>()
  const dropped = new Set<string>()
  const start = (entry: Waiting) => {
    if (entry.key !== undefined) {
      waitingKeys.delete(entry.key)
      runningKeys.add(entry.key)
    }
    const promise = (async () => entry.run())().catch((error) => log.error('background task failed', { error }))
    running.add(promise)
    void promise.finally(() => {
      running.delete(promise)
      const following = entry.key === undefined ? undefined : held.get(entry.key)
      if (entry.key !== undefined) {
        runningKeys.delete(entry.key)
        held.delete(entry.key)
      }
      if (following) start(following)
      else fill()
      if (waiting.size() === 0 && held.size === 0 && dropped.size > 0) drained()
    })
  }
  const fill = () => {
    while (running.size < maxRunning) {
      const entry = waiting.shift()
      if (!entry) return
      if (entry.key !== undefined && runningKeys.has(entry.key)) held.set(entry.key, entry)
      else start(entry)
    }
  }
  const push = (entry: Waiting) => {
    waiting.push(entry)
    if (entry.key !== undefined) waitingKeys.add(entry.key)
    fill()
  }
  const drained = () => {
    const scopes = [...dropped]
    dropped.clear()
    log.info('deferred work drained; catching up on the work it dropped', { scopes: scopes.length })
    push({ run: () => options.catchUp(scopes), key: undefined })
  }
  return {
    enqueue(item) {
      const key = workItemKey(item)
      if (waitingKeys.has(key)) return
      const scope = workItemScope(item)
      if (scope !== undefined && waiting.size() + held.size >= maxWaiting) {
        if (dropped.size === 0) log.warn('deferred work queue full: dropping work until it drains, then catching up from the store', { maxWaiting })
        dropped.add(scope)
        return
      }
      push({ run: () => options.run(item), key })
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running])
    },
    waiting: () => waiting.size() + held.size,
  }
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
