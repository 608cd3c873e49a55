/**
 * A StateStore that reads through to another and keeps its own writes in memory: `publish
 * --dry-run` runs the real pipeline over the real ledger (so `latest` is decided as the server
 * would) and leaves the state file untouched.
 */
import type { SaveResult, StateStore, Versioned } from '../../../state/store.ts'

/** Reads from `base` until a key is written; writes never reach `base`. */
export function createOverlayStore(base: StateStore): StateStore {
  const written = new Map<string, { json: string; version: number }>()
  const load = async (key: string): Promise<Versioned | undefined> => {
    const own = written.get(key)
    return own ? { value: JSON.parse(own.json), version: own.version } : base.load(key)
  }
  return {
    load,
    async save(key, value, expectedVersion): Promise<SaveResult> {
      const current = (await load(key))?.version ?? 0
      if (current !== expectedVersion) return { ok: false, reason: 'conflict' }
      written.set(key, { json: JSON.stringify(value), version: current + 1 })
      return { ok: true, version: current + 1 }
    },
    async list(prefix, options = {}) {
      const keys = new Set(await base.list(prefix, { ...(options.from !== undefined ? { from: options.from } : {}) }))
      for (const key of written.keys()) if (key.startsWith(prefix) && (options.from === undefined || key >= options.from)) keys.add(key)
      const sorted = [...keys].sort()
      if (options.descending) sorted.reverse()
      return options.limit === undefined ? sorted : sorted.slice(0, options.limit)
    },
    close: () => base.close?.() ?? Promise.resolve(),
  }
}
