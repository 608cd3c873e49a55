// A test runtime's guard for serverless calls: everything a call starts (promises, timers, sockets)
// must be done when the call returns. Lambda freezes the process after the response and Workers
// cancel what outlives waitUntil, so anything settling later would be lost there.
import { AsyncLocalStorage, createHook } from 'node:async_hooks'

interface Call {
  name: string
  ended: boolean
}

export interface CallTracker {
  /** Runs `work` as one call. */
  run<T>(name: string, work: () => Promise<T>): Promise<T>
  /** What settled or ran after its call returned, as `call: what`. */
  late: string[]
  calls: number
  stop(): void
}

// undici's process-wide clock: one unref'd timer that whichever call first needs it starts; it
// carries no work of that call (undici/lib/util/timers.js).
function isSharedClock(stack: string): boolean {
  return stack.includes('/undici/lib/util/timers.js')
}

/** Starts tracking async resources by the call that created them. */
export function createCallTracker(): CallTracker {
  const context = new AsyncLocalStorage<Call>()
  const owners = new Map<number, { call: Call; type: string }>()
  const late: string[] = []
  const report = (asyncId: number, what: string) => {
    const owner = owners.get(asyncId)
    if (owner?.call.ended) late.push(`${owner.call.name}: ${owner.type} ${what} after the call returned`)
  }
  const hook = createHook({
    init(asyncId, type) {
      const call = context.getStore()
      if (!call || call.ended || (type === 'Timeout' && isSharedClock(new Error().stack ?? ''))) return
      owners.set(asyncId, { call, type })
    },
    before: (asyncId) => report(asyncId, 'ran a callback'),
    promiseResolve: (asyncId) => report(asyncId, 'settled'),
    destroy: (asyncId) => void owners.delete(asyncId),
  }).enable()
  const tracker: CallTracker = {
    late,
    calls: 0,
    async run(name, work) {
      const call: Call = { name, ended: false }
      tracker.calls++
      try {
        return await context.run(call, work)
      } finally {
        call.ended = true
      }
    },
    stop: () => void hook.disable(),
  }
  return tracker
}
