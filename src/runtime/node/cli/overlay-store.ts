/**
 * A StateStore that reads through to another and keeps its own writes in memory: `publish
 * --dry-run` runs the real pipeline over the real ledger (so `latest` is decided as the server
 * would) and leaves the state file untouched.
 */
import { listKeys, pageKeys, type ListPage, type SaveResult, type StateStore, type Versioned } from '../../../state/store.ts'

type Written = { json: string; version: number } | 'deleted'

/** Reads from `base` until a key is written or deleted; neither reaches `base`. */
export function createOverlayStore(base: StateStore): StateStore {
  const written = new Map<string, Written>()
  const load = async (key: string): Promise<Versioned | undefined> => {
    const own = written.get(key)
    if (own === 'deleted') return undefined
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
    async delete(key, expectedVersion): Promise<SaveResult> {
      if (expectedVersion === 0 || (await load(key))?.version !== expectedVersion) return { ok: false, reason: 'conflict' }
      written.set(key, 'deleted')
      return { ok: true, version: 0 }
    },
    async list(prefix, options = {}): Promise<ListPage> {
      const { descending = false, from } = options
      const keys = new Set(await listKeys(base, prefix, { descending, ...(from === undefined ? {} : { from }) }))
      for (const [key, own] of written) if (key.startsWith(prefix)) own === 'deleted' ? keys.delete(key) : keys.add(key)
      return pageKeys(keys, prefix, options)
    },
    close: () => base.close?.() ?? Promise.resolve(),
  }
}
