/**
 * The Node runtime's deferred work: at most `maxRunning` tasks at a time, at most `maxWaiting`
 * waiting in arrival order. Every acknowledged arrival is already durable in the store, so under a
 * burst the queue may drop work instead of growing without bound: it then runs `catchUp` (which
 * finds unfinished work in the store) once it has drained. A keyed task that is still waiting
 * absorbs later tasks with the same key: the one that runs reads the newest state anyway, so a
 * burst of arrivals for one version costs one run.
 */
import type { Logger } from '../log.ts'

export interface TaskQueue {
  /** Queues `task`; dropped when a task with the same `key` is waiting (not yet started). */
  defer(task: () => Promise<void>, key?: string): void
  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void>
  /** Tasks waiting to start. */
  waiting(): number
}

interface Waiting {
  task: () => Promise<void>
  key: string | undefined
}

export interface TaskQueueOptions {
  maxRunning: number
  maxWaiting: number
  log: Logger
  /** Finds and runs from the store whatever the dropped tasks would have done. */
  catchUp: () => Promise<void>
}

/** Creates the queue; task failures are logged, never thrown. */
export function createTaskQueue(options: TaskQueueOptions): TaskQueue {
  const { maxRunning, maxWaiting, log } = options
  const running = new Set<Promise<void>>()
  let overflowed = false
  const waiting: Waiting[] = []
  const waitingKeys = new Set<string>()
  let head = 0
  const next = (): Waiting | undefined => {
    const entry = waiting[head]
    if (!entry) return undefined
    waiting[head++] = undefined as never
    // Compact once the consumed prefix dominates, so a long burst does not keep dead slots.
    if (head > 1024 && head * 2 > waiting.length) {
      waiting.splice(0, head)
      head = 0
    }
    if (entry.key !== undefined) waitingKeys.delete(entry.key)
    return entry
  }
  const start = (entry: Waiting) => {
    const promise = (async () => entry.task())().catch((error) => log.error('background task failed', { error }))
    running.add(promise)
    void promise.finally(() => {
      running.delete(promise)
      const following = next()
      if (following) start(following)
      else if (overflowed) drained()
    })
  }
  const drained = () => {
    overflowed = false
    log.info('deferred work drained; catching up on the work it dropped')
    queue.defer(options.catchUp, CATCH_UP)
  }
  const queue: TaskQueue = {
    defer(task, key) {
      if (key !== undefined && waitingKeys.has(key)) return
      if (waiting.length - head >= maxWaiting && key !== CATCH_UP) return overflow()
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
    waiting: () => waiting.length - head,
  }
  const overflow = () => {
    if (!overflowed) log.warn('deferred work queue full: dropping work until it drains, then catching up from the store', { maxWaiting })
    overflowed = true
  }
  return queue
}

const CATCH_UP = 'catch-up'
