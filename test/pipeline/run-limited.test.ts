import { describe, expect, it } from 'vitest'
import { runLimited } from '../../src/pipeline/run-limited.ts'

describe('runLimited', () => {
  it('never has more than `limit` in flight and runs every item once', async () => {
    let inFlight = 0
    let peak = 0
    const done: number[] = []
    await runLimited(Array.from({ length: 50 }, (_, i) => i), 4, async (i) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, i % 3))
      inFlight--
      done.push(i)
    })
    expect(peak).toBe(4)
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
  })

  it('finishes the other items when one fails, then rethrows the first failure', async () => {
    const done: number[] = []
    const run = runLimited([1, 2, 3, 4], 2, async (i) => {
      if (i === 2) throw new Error('two')
      done.push(i)
    })
    await expect(run).rejects.toThrow('two')
    expect(done).toEqual([1, 3, 4])
  })

  it('does nothing for no items', async () => {
    await runLimited([], 8, async () => {
      throw new Error('not called')
    })
  })
})
