/**
 * In-memory StateStore: for tests and for deployments that accept losing state on restart.
 * Values are deep-copied on the way in and out, as a real store would serialise them.
 */
import type { SaveResult, StateStore, Versioned } from './store.ts'

/** Creates an empty in-memory store. */
export function createMemoryStore(): StateStore {
  const entries = new Map<string, { json: string; version: number }>()
  return {
    async load(key) {
      const entry = entries.get(key)
      return entry ? ({ value: JSON.parse(entry.json), version: entry.version } satisfies Versioned) : undefined
    },
    async save(key, value, expectedVersion): Promise<SaveResult> {
      const current = entries.get(key)?.version ?? 0
      if (current !== expectedVersion) return { ok: false, reason: 'conflict' }
      entries.set(key, { json: JSON.stringify(value), version: current + 1 })
      return { ok: true, version: current + 1 }
    },
    async list(prefix, options = {}) {
      const keys = [...entries.keys()].filter((key) => key.startsWith(prefix) && (options.from === undefined || key >= options.from)).sort()
      if (options.descending) keys.reverse()
      return options.limit === undefined ? keys : keys.slice(0, options.limit)
    },
  }
}
