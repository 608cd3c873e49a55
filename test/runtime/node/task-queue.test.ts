import { describe, expect, it } from 'vitest'
import type { Logger } from '../../../src/log.ts'
import type { WorkItem } from '../../../src/pipeline/work-item.ts'
import { createTaskQueue as createQueue, type TaskQueueOptions } from '../../../src/runtime/node/task-queue.ts'

function createLog(): Logger & { errors: string[]; warnings: string[] } {
  const errors: string[] = []
  const warnings: string[] = []
  const ignore = () => undefined
  return { errors, warnings, debug: ignore, info: ignore, warn: (message) => void warnings.push(message), error: (message) => void errors.push(message) }
}

// Items name what they do: `process` items of image `img`, version `<name>`; each run looks up its
// behaviour by name (default: record the name).
const item = (name: string, image = 'img'): WorkItem => ({ kind: 'process', image, version: name })
const nameOf = (work: WorkItem) => (work.kind === 'process' ? work.version : work.kind)

function createTaskQueue(maxRunning: number, log: Logger, behaviour: Record<string, () => Promise<void>> = {}, more: Partial<TaskQueueOptions> = {}) {
  const ran: string[] = []
  const run = async (work: WorkItem) => {
    const name = nameOf(work)
    const own = behaviour[name]
    if (own) return own()
    ran.push(name)
  }
  return { ran, queue: createQueue({ maxRunning, maxWaiting: Number.POSITIVE_INFINITY, log, run, catchUp: async () => {}, ...more }) }
}

/** A run that records its start and finishes when released. */
function createGate(started: string[], name: string) {
  let release = () => {}
  const done = new Promise<void>((resolve) => (release = resolve))
  const run = async () => {
    started.push(name)
    await done
  }
  return { run, release: () => release() }
}

describe('createTaskQueue (Node work items)', () => {
  it('runs at most maxRunning items at once, the rest in arrival order', async () => {
    const started: string[] = []
    const gates = Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [name, createGate(started, name)]))
    const { queue } = createTaskQueue(2, createLog(), Object.fromEntries(Object.entries(gates).map(([name, gate]) => [name, gate.run])))
    for (const name of ['a', 'b', 'c', 'd']) queue.enqueue(item(name))
    expect(started).toEqual(['a', 'b'])
    expect(queue.waiting()).toBe(2)
    gates.b?.release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(started).toEqual(['a', 'b', 'c'])
    for (const gate of Object.values(gates)) gate.release()
    await queue.idle()
    expect(started).toEqual(['a', 'b', 'c', 'd'])
    expect(queue.waiting()).toBe(0)
  })

  it('drops an item while one with the same key waits; one whose key runs waits for that run', async () => {
    const started: string[] = []
    const blocker = createGate(started, 'blocker')
    const running = createGate(started, 'v3')
    const { queue, ran } = createTaskQueue(2, createLog(), { blocker: blocker.run, v3: running.run })
    queue.enqueue(item('blocker'))
    queue.enqueue(item('blocker', 'other'))
    queue.enqueue(item('v1'))
    queue.enqueue(item('v1'))
    queue.enqueue(item('v2'))
    expect(queue.waiting()).toBe(2)
    blocker.release()
    await queue.idle()
    expect(started).toEqual(['blocker', 'blocker'])
    expect(ran).toEqual(['v1', 'v2'])

    // v3 runs; a second v3 must not start beside it (two slots are free) but right after it.
    queue.enqueue(item('v3'))
    queue.enqueue(item('v3'))
    queue.enqueue(item('v4'))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(started).toEqual(['blocker', 'blocker', 'v3'])
    expect(ran).toEqual(['v1', 'v2', 'v4'])
    expect(queue.waiting()).toBe(1)
    // While held, it still absorbs another v3.
    queue.enqueue(item('v3'))
    expect(queue.waiting()).toBe(1)
    running.release()
    await queue.idle()
    expect(started).toEqual(['blocker', 'blocker', 'v3', 'v3'])
  })

  it('logs a failing item and keeps going', async () => {
    const log = createLog()
    const { queue, ran } = createTaskQueue(1, log, { boom: async () => Promise.reject(new Error('boom')) })
    queue.enqueue(item('boom'))
    queue.enqueue(item('after'))
    await queue.idle()
    expect(ran).toEqual(['after'])
    expect(log.errors).toEqual(['background task failed'])
  })

  it('keeps order and count across a long burst (the consumed prefix is compacted)', async () => {
    const { queue, ran } = createTaskQueue(4, createLog())
    for (let i = 0; i < 5000; i++) queue.enqueue(item(`k${i}`))
    expect(queue.waiting()).toBe(4996)
    await queue.idle()
    expect(ran).toEqual(Array.from({ length: 5000 }, (_, i) => `k${i}`))
    // Keys of finished items are free again.
    queue.enqueue(item('k0'))
    await queue.idle()
    expect(ran).toHaveLength(5001)
    expect(ran.at(-1)).toBe('k0')
  })

  it('drops scoped items beyond maxWaiting, warns once, and catches up on those images once drained', async () => {
    const log = createLog()
    const catchUps: string[][] = []
    const started: string[] = []
    const blocker = createGate(started, 'blocker')
    const { queue, ran } = createTaskQueue(1, log, { blocker: blocker.run }, { maxWaiting: 2, catchUp: async (scopes) => void catchUps.push(scopes) })
    queue.enqueue(item('blocker', 'img0'))
    const scopes = { a: 'img1', b: 'img1', c: 'img2', d: 'img3', e: 'img2' }
    for (const [name, scope] of Object.entries(scopes)) queue.enqueue(item(name, scope))
    // Sweeps are never dropped.
    queue.enqueue({ kind: 'sweep' })
    expect(queue.waiting()).toBe(3)
    expect(log.warnings).toHaveLength(1)
    expect(catchUps).toEqual([])
    blocker.release()
    await queue.idle()
    expect(ran).toEqual(['a', 'b', 'sweep'])
    expect(catchUps).toEqual([['img2', 'img3']])
    // Nothing dropped since: no second catch-up.
    queue.enqueue(item('f', 'img1'))
    await queue.idle()
    expect(catchUps).toHaveLength(1)
    expect(ran.at(-1)).toBe('f')
  })
})
