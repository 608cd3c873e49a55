/**
 * StateStore on a Durable Object's SQLite storage (`ctx.storage.sql`): one row per key with its
 * version and expiry. The object runs one event at a time and `sql.exec` is synchronous, so each
 * method's read-check-write is atomic without a transaction of its own; workerd commits the
 * object's writes before it lets the response out (output gates). Holds one partition: the image
 * the object belongs to, or the global keys in the `#global` object.
 */
import { MAX_VALUE_BYTES, type ListOptions, type ListPage, type SaveOptions, type SaveResult, type StateStore, type Versioned } from '../../state/store.ts'
import type { SqlStorage } from './workers-types.ts'

type Row = { key: string; version: number; value: string; expires: number | null }

// A page never holds more keys than this, whatever `limit` asks: a list of a big image pages.
const MAX_PAGE = 1_000

/** Creates the table if needed and returns the store over it. */
export function createDurableObjectStore(sql: SqlStorage, now: () => number = Date.now): StateStore {
  sql.exec('CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL, expires INTEGER)')
  // An expired row reads as absent; a save over it starts again at version 1.
  const read = (key: string): Row | undefined => {
    const row = sql.exec<Row>('SELECT key, version, value, expires FROM state WHERE key = ?', key).toArray()[0]
    return row && (row.expires === null || row.expires > now()) ? row : undefined
  }
  const encoder = new TextEncoder()
  return {
    async load(key): Promise<Versioned | undefined> {
      const row = read(key)
      return row ? { value: JSON.parse(row.value), version: row.version } : undefined
    },
    async save(key, value, expectedVersion, options: SaveOptions = {}): Promise<SaveResult> {
      const json = JSON.stringify(value)
      if (encoder.encode(json).byteLength > MAX_VALUE_BYTES) return { ok: false, reason: 'too-large' }
      if ((read(key)?.version ?? 0) !== expectedVersion) return { ok: false, reason: 'conflict' }
      const version = expectedVersion + 1
      sql.exec('INSERT OR REPLACE INTO state (key, version, value, expires) VALUES (?, ?, ?, ?)', key, version, json, options.expiresAt ?? null)
      return { ok: true, version }
    },
    async delete(key, expectedVersion): Promise<SaveResult> {
      const current = read(key)
      if (!current || current.version !== expectedVersion) return { ok: false, reason: 'conflict' }
      sql.exec('DELETE FROM state WHERE key = ?', key)
      return { ok: true, version: 0 }
    },
    async list(prefix, options: ListOptions = {}): Promise<ListPage> {
      return listPage(sql, prefix, options, now())
    },
  }
}

function listPage(sql: SqlStorage, prefix: string, options: ListOptions, at: number): ListPage {
  const limit = Math.min(options.limit ?? MAX_PAGE, MAX_PAGE)
  // Keys with the prefix sort between the prefix and the prefix followed by U+FFFF.
  let low = prefix
  let high = `${prefix}\uffff`
  let lowOp = '>='
  let highOp = '<'
  if (options.descending) {
    if (options.from !== undefined && options.from < high) [high, highOp] = [options.from, '<=']
    if (options.after !== undefined && options.after <= high) [high, highOp] = [options.after, '<']
  } else {
    if (options.from !== undefined && options.from > low) low = options.from
    if (options.after !== undefined && options.after >= low) [low, lowOp] = [options.after, '>']
  }
  const order = options.descending ? 'DESC' : 'ASC'
  // One row beyond the page tells whether there is a next one.
  const rows = sql
    .exec<{ key: string }>(`SELECT key FROM state WHERE key ${lowOp} ? AND key ${highOp} ? AND (expires IS NULL OR expires > ?) ORDER BY key ${order} LIMIT ?`, low, high, at, limit + 1)
    .toArray()
  const keys = rows.slice(0, limit).map((row) => row.key)
  const last = keys.at(-1)
  return rows.length > limit && last !== undefined ? { keys, next: last } : { keys }
}
