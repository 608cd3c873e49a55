import { describe, expect, it } from 'vitest'
import { runSerially } from '../../src/pipeline/run-serially.ts'
import { createMemoryStore } from '../../src/state/memory-store.ts'

function createGate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

describe('runSerially', () => {
  it('starts a run of a key once the earlier runs of that key on that store have settled, rejected ones included', async () => {
    const store = createMemoryStore()
    const events: string[] = []
    const gate = createGate()
    const first = runSerially(store, 'a', async () => {
      events.push('first started')
      await gate.opened
      throw new Error('first failed')
    })
    const second = runSerially(store, 'a', async () => void events.push('second started'))
    const third = runSerially(store, 'a', async () => (events.push('third started'), 3))
    await new Promise((resolve) => setImmediate(resolve))
    expect(events).toEqual(['first started'])
    gate.open()
    await expect(first).rejects.toThrow('first failed')
    expect(await third).toBe(3)
    await second
    expect(events).toEqual(['first started', 'second started', 'third started'])
  })

  it('runs other keys, and the same key on another store, at once', async () => {
    const [store, other] = [createMemoryStore(), createMemoryStore()]
    const gate = createGate()
    const held = runSerially(store, 'a', () => gate.opened)
    const started: string[] = []
    await Promise.all([
      runSerially(store, 'b', async () => void started.push('b')),
      runSerially(other, 'a', async () => void started.push('other a')),
    ])
    expect(started).toEqual(['b', 'other a'])
    gate.open()
    await held
    await new Promise((resolve) => setImmediate(resolve))
    // Once its runs have settled, the key starts at once again (nothing is kept for it).
    let ran = false
    const next = runSerially(store, 'a', async () => void (ran = true))
    expect(ran).toBe(true)
    await next
  })
})
