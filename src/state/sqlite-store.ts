/**
 * Durable local StateStore on SQLite (`node:sqlite`, built into Node 22): one row per key with a
 * version column; a conditional UPDATE is the compare-and-set. WAL with synchronous=FULL makes
 * every acknowledged save survive a crash or SIGKILL. Node only.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { SaveResult, StateStore } from './store.ts'

/** Opens (creating if needed) the store at `path`; `:memory:` gives a throw-away database. */
export function createSqliteStore(path: string): StateStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new DatabaseSync(path)
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;')
  db.exec('CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL) STRICT')
  const select = db.prepare('SELECT version, value FROM state WHERE key = ?')
  const insert = db.prepare('INSERT INTO state (key, version, value) VALUES (?, 1, ?) ON CONFLICT (key) DO NOTHING')
  const update = db.prepare('UPDATE state SET value = ?, version = version + 1 WHERE key = ? AND version = ?')
  const range = db.prepare('SELECT key FROM state WHERE key >= ? AND key < ? ORDER BY key')
  return {
    async load(key) {
      const row = select.get(key) as { version: number; value: string } | undefined
      return row ? { value: JSON.parse(row.value), version: row.version } : undefined
    },
    async save(key, value, expectedVersion): Promise<SaveResult> {
      const json = JSON.stringify(value)
      const result = expectedVersion === 0 ? insert.run(key, json) : update.run(json, key, expectedVersion)
      return result.changes === 1 ? { ok: true, version: expectedVersion + 1 } : { ok: false, reason: 'conflict' }
    },
    async list(prefix) {
      // Every key with the prefix sorts between the prefix and the prefix followed by U+FFFF.
      const rows = range.all(prefix, `${prefix}\uffff`) as { key: string }[]
      return rows.map((row) => row.key)
    },
    async close() {
      db.close()
    },
  }
}
