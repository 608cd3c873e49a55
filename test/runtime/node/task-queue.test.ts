import { describe, expect, it } from 'vitest'
import type { Logger } from '../../../src/log.ts'
import { createTaskQueue as createQueue, type TaskQueueOptions } from '../../../src/runtime/node/task-queue.ts'

function createLog(): Logger & { errors: string[]; warnings: string[] } {
  const errors: string[] = []
  const warnings: string[] = []
  const ignore = () => undefined
  return { errors, warnings, debug: ignore, info: ignore, warn: (message) => void warnings.push(message), error: (message) => void errors.push(message) }
}

function createTaskQueue(maxRunning: number, log: Logger, more: Partial<TaskQueueOptions> = {}) {
  return createQueue({ maxRunning, maxWaiting: Number.POSITIVE_INFINITY, log, catchUp: async () => {}, ...more })
}

/** A task that records its start and finishes when released. */
function createGate(started: string[], name: string) {
  let release = () => {}
  const done = new Promise<void>((resolve) => (release = resolve))
  const task = async () => {
    started.push(name)
    await done
  }
  return { task, release: () => release() }
}

describe('createTaskQueue', () => {
  it('runs at most maxRunning tasks at once, the rest in arrival order', async () => {
    const queue = createTaskQueue(2, createLog())
    const started: string[] = []
    const gates = ['a', 'b', 'c', 'd'].map((name) => createGate(started, name))
    for (const gate of gates) queue.defer(gate.task)
    expect(started).toEqual(['a', 'b'])
    expect(queue.waiting()).toBe(2)
    gates[1]?.release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(started).toEqual(['a', 'b', 'c'])
    for (const gate of gates) gate.release()
    await queue.idle()
    expect(started).toEqual(['a', 'b', 'c', 'd'])
    expect(queue.waiting()).toBe(0)
  })

  it('drops a keyed task while one with the same key waits, but not while it runs', async () => {
    const queue = createTaskQueue(1, createLog())
    const started: string[] = []
    const blocker = createGate(started, 'blocker')
    queue.defer(blocker.task)
    queue.defer(async () => void started.push('v1 first'), { key: 'v1' })
    queue.defer(async () => void started.push('v1 second'), { key: 'v1' })
    queue.defer(async () => void started.push('v2'), { key: 'v2' })
    expect(queue.waiting()).toBe(2)
    blocker.release()
    await queue.idle()
    expect(started).toEqual(['blocker', 'v1 first', 'v2'])

    const running = createGate(started, 'v3 running')
    queue.defer(running.task, { key: 'v3' })
    queue.defer(async () => void started.push('v3 again'), { key: 'v3' })
    running.release()
    await queue.idle()
    expect(started.slice(-2)).toEqual(['v3 running', 'v3 again'])
  })

  it('logs a failing task and keeps going', async () => {
    const log = createLog()
    const queue = createTaskQueue(1, log)
    const ran: number[] = []
    queue.defer(async () => {
      throw new Error('boom')
    })
    queue.defer(async () => void ran.push(1))
    await queue.idle()
    expect(ran).toEqual([1])
    expect(log.errors).toEqual(['background task failed'])
  })

  it('keeps order and count across a long burst (the consumed prefix is compacted)', async () => {
    const queue = createTaskQueue(4, createLog())
    const ran: number[] = []
    for (let i = 0; i < 5000; i++) queue.defer(async () => void ran.push(i), { key: `k${i}` })
    expect(queue.waiting()).toBe(4996)
    await queue.idle()
    expect(ran).toEqual(Array.from({ length: 5000 }, (_, i) => i))
    // Keys of finished tasks are free again.
    queue.defer(async () => void ran.push(-1), { key: 'k0' })
    await queue.idle()
    expect(ran.at(-1)).toBe(-1)
  })

  it('drops scoped work beyond maxWaiting, warns once, and catches up on those scopes once drained', async () => {
    const log = createLog()
    const ran: string[] = []
    const catchUps: string[][] = []
    const queue = createTaskQueue(1, log, { maxWaiting: 2, catchUp: async (scopes) => void catchUps.push(scopes) })
    const started: string[] = []
    const blocker = createGate(started, 'blocker')
    queue.defer(blocker.task)
    const scopes = { a: 'img1', b: 'img1', c: 'img2', d: 'img3', e: 'img2' }
    for (const [name, scope] of Object.entries(scopes)) queue.defer(async () => void ran.push(name), { key: name, scope })
    // Unscoped work (a sweep) is never dropped.
    queue.defer(async () => void ran.push('sweep'), { key: 'sweep' })
    expect(queue.waiting()).toBe(3)
    expect(log.warnings).toHaveLength(1)
    expect(catchUps).toEqual([])
    blocker.release()
    await queue.idle()
    expect(ran).toEqual(['a', 'b', 'sweep'])
    expect(catchUps).toEqual([['img2', 'img3']])
    // Nothing dropped since: no second catch-up.
    queue.defer(async () => void ran.push('f'), { scope: 'img1' })
    await queue.idle()
    expect(catchUps).toHaveLength(1)
    expect(ran.at(-1)).toBe('f')
  })
})
