/**
 * In-memory StateStore: for tests and for deployments that accept losing state on restart.
 * Values are deep-copied on the way in and out, as a real store would serialise them.
 */
import { isTooLarge, pageKeys, type ListPage, type SaveResult, type StateStore, type Versioned } from './store.ts'

export interface MemoryStoreOptions {
  /** The clock expiry is read against (epoch ms). */
  now?: () => number
}

interface Entry {
  json: string
  version: number
  expiresAt?: number
}

/** Creates an empty in-memory store. */
export function createMemoryStore(options: MemoryStoreOptions = {}): StateStore {
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  // An expired entry is absent for every operation.
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key)
    return entry && (entry.expiresAt === undefined || entry.expiresAt > now()) ? entry : undefined
  }
  return {
    async load(key) {
      const entry = live(key)
      return entry ? ({ value: JSON.parse(entry.json), version: entry.version } satisfies Versioned) : undefined
    },
    async save(key, value, expectedVersion, saveOptions = {}): Promise<SaveResult> {
      const current = live(key)?.version ?? 0
      if (current !== expectedVersion) return { ok: false, reason: 'conflict' }
      const json = JSON.stringify(value)
      if (isTooLarge(json)) return { ok: false, reason: 'too-large' }
      entries.set(key, { json, version: current + 1, ...(saveOptions.expiresAt === undefined ? {} : { expiresAt: saveOptions.expiresAt }) })
      return { ok: true, version: current + 1 }
    },
    async delete(key, expectedVersion): Promise<SaveResult> {
      if (expectedVersion === 0 || live(key)?.version !== expectedVersion) return { ok: false, reason: 'conflict' }
      entries.delete(key)
      return { ok: true, version: 0 }
    },
    async list(prefix, listOptions = {}): Promise<ListPage> {
      return pageKeys([...entries.keys()].filter((key) => live(key)), prefix, listOptions)
    },
  }
}
