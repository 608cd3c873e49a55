// The object's durable work queue on its SQLite storage, inside workerd.
import { describe, expect, it } from 'vitest'
import { createWorkQueue, type WorkQueue } from '../../../src/runtime/workers/work-queue.ts'
import { objectFor, runInObject } from './workers-test-env.ts'

let n = 0
const withQueue = (test: (queue: WorkQueue<{ n: number }>) => void) => () => runInObject(objectFor(`queue-${n++}`), (_instance, state) => test(createWorkQueue(state.storage.sql)))

describe('work queue', () => {
  it('keeps one row per key, due at the earlier time, and lists due rows earliest first', withQueue((queue) => {
    queue.add('b', { n: 1 }, 200)
    queue.add('a', { n: 2 }, 300)
    queue.add('a', { n: 3 }, 100)
    queue.add('b', { n: 4 }, 500)
    expect(queue.size()).toBe(2)
    expect(queue.nextDue()).toBe(100)
    expect(queue.due(150).map((w) => [w.key, w.item])).toEqual([['a', { n: 3 }]])
    expect(queue.due(1_000).map((w) => [w.key, w.item, w.attempts])).toEqual([['a', { n: 3 }, 0], ['b', { n: 4 }, 0]])
  }))

  it('removes a row that ran unless it was added again while it ran', withQueue((queue) => {
    queue.add('a', { n: 1 }, 100)
    queue.add('b', { n: 1 }, 100)
    const [a, b] = queue.due(100)
    queue.add('b', { n: 2 }, 150)
    queue.done(a!)
    queue.done(b!)
    expect(queue.due(1_000).map((w) => [w.key, w.item])).toEqual([['b', { n: 2 }]])
  }))

  it('puts a failed row back later with one more attempt, and is empty when all are done', withQueue((queue) => {
    queue.add('a', { n: 1 }, 100)
    const [first] = queue.due(100)
    queue.retry(first!, 400)
    expect(queue.due(399)).toEqual([])
    const [second] = queue.due(400)
    expect(second?.attempts).toBe(1)
    queue.done(second!)
    expect([queue.size(), queue.nextDue()]).toEqual([0, undefined])
  }))
})
