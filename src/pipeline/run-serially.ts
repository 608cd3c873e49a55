/**
 * runSerially: runs of the same key over the same store, in this isolate, one after the other. A
 * version's runs come from several places (its `process` item, a sweep, a catch-up, the recovery
 * of lost webhooks) that the work queue does not key alike; run at once, each would resolve the
 * same pending arrival and copy the same child. The later run starts when the earlier one has
 * settled and reads the state it left. Across processes, correctness rests on the store's versions.
 */
import type { StateStore } from '../state/store.ts'

const tails = new WeakMap<StateStore, Map<string, Promise<void>>>()

/** Runs `run` once every earlier run of `key` on `store` (in this isolate) has settled. */
export function runSerially<T>(store: StateStore, key: string, run: () => Promise<T>): Promise<T> {
  let byKey = tails.get(store)
  if (!byKey) tails.set(store, (byKey = new Map()))
  const keyed = byKey
  const earlier = keyed.get(key)
  const result = earlier ? earlier.then(run) : run()
  const tail = result.then(
    () => undefined,
    () => undefined,
  )
  keyed.set(key, tail)
  void tail.then(() => {
    if (keyed.get(key) === tail) keyed.delete(key)
  })
  return result
}
