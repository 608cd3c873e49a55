import { describe, expect, it } from 'vitest'
import { createCallTracker } from './call-tracker.ts'

describe('createCallTracker', () => {
  it('flags a timer and a promise that outlive their call, and nothing a call awaited', async () => {
    const tracker = createCallTracker()
    try {
      await tracker.run('awaited', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        await Promise.all([Promise.resolve(1), new Promise((resolve) => setImmediate(resolve))])
      })
      expect(tracker.late).toEqual([])
      let release = () => {}
      await tracker.run('leaky', async () => {
        setTimeout(() => undefined, 5)
        void new Promise<void>((resolve) => (release = resolve))
      })
      release()
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(tracker.late).toEqual(['leaky: PROMISE settled after the call returned', 'leaky: Timeout ran a callback after the call returned'])
      expect(tracker.calls).toBe(2)
    } finally {
      tracker.stop()
    }
  })
})
