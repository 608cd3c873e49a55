/**
 * A StateStore whose adapter is loaded on first use: the DynamoDB store (and with it the SDK's
 * DynamoDB client) is a lazy bundle chunk, and requests that touch no state never load it.
 */
import type { StateStore } from '../../state/store.ts'
import { once } from './once.ts'

/** Wraps `load` (called once, on the first operation; a failed load is retried) as a StateStore. */
export function createLazyStore(load: () => Promise<StateStore>): StateStore {
  const store = once(load)
  return {
    load: async (key) => (await store()).load(key),
    save: async (key, value, expectedVersion, options) => (await store()).save(key, value, expectedVersion, options),
    delete: async (key, expectedVersion) => (await store()).delete(key, expectedVersion),
    list: async (prefix, options) => (await store()).list(prefix, options),
  }
}
