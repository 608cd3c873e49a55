/**
 * Durable local StateStore on SQLite (`node:sqlite`, built into Node 22): one row per key with a
 * version column; a conditional UPDATE is the compare-and-set. WAL with synchronous=FULL makes
 * every acknowledged save survive a crash or SIGKILL. Saves issued in the same event-loop turn are
 * committed together (group commit: one fsync for the batch); each save resolves only after that
 * COMMIT has returned, so "acknowledged" still means "on disk". Node only.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import type { SaveResult, StateStore } from './store.ts'

interface PendingSave {
  key: string
  json: string
  expectedVersion: number
  resolve: (result: SaveResult) => void
  reject: (error: unknown) => void
}

interface Statements {
  insert: StatementSync
  update: StatementSync
}

/** Opens (creating if needed) the store at `path`; `:memory:` gives a throw-away database. */
export function createSqliteStore(path: string): StateStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new DatabaseSync(path)
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;')
  db.exec('CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL) STRICT')
  const select = db.prepare('SELECT version, value FROM state WHERE key = ?')
  const range = db.prepare('SELECT key FROM state WHERE key >= ? AND key < ? ORDER BY key LIMIT ?')
  const rangeDescending = db.prepare('SELECT key FROM state WHERE key >= ? AND key < ? ORDER BY key DESC LIMIT ?')
  const statements: Statements = {
    insert: db.prepare('INSERT INTO state (key, version, value) VALUES (?, 1, ?) ON CONFLICT (key) DO NOTHING'),
    update: db.prepare('UPDATE state SET value = ?, version = version + 1 WHERE key = ? AND version = ?'),
  }
  let queue: PendingSave[] = []
  let closed = false
  const flush = () => {
    const batch = queue
    queue = []
    commitBatch(db, statements, batch)
  }
  return {
    async load(key) {
      const row = select.get(key) as { version: number; value: string } | undefined
      return row ? { value: JSON.parse(row.value), version: row.version } : undefined
    },
    save(key, value, expectedVersion) {
      if (closed) return Promise.reject(new Error('sqlite store is closed'))
      const json = JSON.stringify(value)
      return new Promise<SaveResult>((resolve, reject) => {
        // The first save of a turn schedules the commit; later ones in the same turn join it.
        if (queue.length === 0) setImmediate(flush)
        queue.push({ key, json, expectedVersion, resolve, reject })
      })
    },
    async list(prefix, options = {}) {
      // Every key with the prefix sorts between the prefix and the prefix followed by U+FFFF.
      const statement = options.descending ? rangeDescending : range
      const low = options.from !== undefined && options.from > prefix ? options.from : prefix
      const rows = statement.all(low, `${prefix}\uffff`, options.limit ?? -1) as { key: string }[]
      return rows.map((row) => row.key)
    },
    async close() {
      closed = true
      if (queue.length > 0) flush()
      db.close()
    },
  }
}

// Runs the batch in one transaction, in arrival order, so that two saves of one key in a batch
// conflict exactly as they would one after the other. Results are released after COMMIT only.
function commitBatch(db: DatabaseSync, statements: Statements, batch: PendingSave[]): void {
  if (batch.length === 0) return
  const results: Array<SaveResult | { error: unknown }> = []
  try {
    db.exec('BEGIN IMMEDIATE')
    for (const save of batch) results.push(runSave(statements, save))
    db.exec('COMMIT')
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    for (const save of batch) save.reject(error)
    return
  }
  for (const [i, save] of batch.entries()) {
    const result = results[i] as SaveResult | { error: unknown }
    if ('error' in result) save.reject(result.error)
    else save.resolve(result)
  }
}

function runSave(statements: Statements, save: PendingSave): SaveResult | { error: unknown } {
  try {
    const { key, json, expectedVersion } = save
    const result = expectedVersion === 0 ? statements.insert.run(key, json) : statements.update.run(json, key, expectedVersion)
    return result.changes === 1 ? { ok: true, version: expectedVersion + 1 } : { ok: false, reason: 'conflict' }
  } catch (error) {
    return { error }
  }
}
