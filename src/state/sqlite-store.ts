/**
 * Durable local StateStore on SQLite (`node:sqlite`, built into Node 22): one row per key with a
 * version column; a conditional UPDATE is the compare-and-set. WAL with synchronous=FULL makes
 * every acknowledged save survive a crash or SIGKILL. Saves and deletes issued in the same
 * event-loop turn are committed together (group commit: one fsync for the batch); each resolves
 * only after that COMMIT has returned, so "acknowledged" still means "on disk". A batch of only
 * `durable: false` saves commits with synchronous=NORMAL: written to the WAL (a SIGKILL keeps it)
 * but not fsynced. The next FULL commit fsyncs the whole WAL, earlier frames included, and recovery
 * keeps only whole transactions, oldest first (checksummed frames), so it makes them durable too;
 * a checkpoint syncs the WAL before copying it (https://sqlite.org/pragma.html#pragma_synchronous,
 * https://sqlite.org/wal.html). Expired rows read as absent and are overwritten by the next create.
 * Node only.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { isTooLarge, type ListPage, type SaveOptions, type SaveResult, type StateStore } from './store.ts'

export interface SqliteStoreOptions {
  /** The clock expiry is read against (epoch ms). */
  now?: () => number
  /** Told of every committed batch: its size and whether its COMMIT waited for fsync. */
  onCommit?: (commit: { writes: number; synced: boolean }) => void
}

interface PendingWrite {
  key: string
  /** undefined: a delete. */
  json: string | undefined
  expires: number | null
  expectedVersion: number
  durable: boolean
  resolve: (result: SaveResult) => void
  reject: (error: unknown) => void
}

interface Statements {
  insert: StatementSync
  update: StatementSync
  remove: StatementSync
}

const LIVE = '(expires IS NULL OR expires > :now)'

/** Opens (creating if needed) the store at `path`; `:memory:` gives a throw-away database. */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): StateStore {
  const now = options.now ?? Date.now
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new DatabaseSync(path)
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;')
  migrate(db)
  const select = db.prepare(`SELECT version, value FROM state WHERE key = :key AND ${LIVE}`)
  // Every key with the prefix sorts between the prefix and the prefix followed by U+FFFF; one row
  // beyond the limit tells whether another page follows.
  const range = db.prepare(`SELECT key FROM state WHERE key >= :low AND key < :high AND key > :after AND ${LIVE} ORDER BY key LIMIT :limit`)
  const rangeDescending = db.prepare(`SELECT key FROM state WHERE key >= :low AND key <= :high AND key < :after AND ${LIVE} ORDER BY key DESC LIMIT :limit`)
  const statements: Statements = {
    // Creating over an expired row restarts it at version 1.
    insert: db.prepare('INSERT INTO state (key, version, value, expires) VALUES (:key, 1, :value, :expires) ON CONFLICT (key) DO UPDATE SET version = 1, value = excluded.value, expires = excluded.expires WHERE state.expires IS NOT NULL AND state.expires <= :now'),
    update: db.prepare(`UPDATE state SET value = :value, version = version + 1, expires = :expires WHERE key = :key AND version = :version AND ${LIVE}`),
    remove: db.prepare(`DELETE FROM state WHERE key = :key AND version = :version AND ${LIVE}`),
  }
  let queue: PendingWrite[] = []
  let closed = false
  let synced = true
  const flush = () => {
    const batch = queue
    queue = []
    if (batch.length === 0) return
    const durable = batch.some((write) => write.durable)
    try {
      // Outside a transaction only: SQLite refuses to change the safety level inside one.
      if (durable !== synced) db.exec(`PRAGMA synchronous = ${durable ? 'FULL' : 'NORMAL'};`)
      synced = durable
    } catch (error) {
      for (const write of batch) write.reject(error)
      return
    }
    if (commitBatch(db, statements, batch, now())) options.onCommit?.({ writes: batch.length, synced })
  }
  const enqueue = (write: Omit<PendingWrite, 'resolve' | 'reject'>) => {
    if (closed) return Promise.reject(new Error('sqlite store is closed'))
    return new Promise<SaveResult>((resolve, reject) => {
      // The first write of a turn schedules the commit; later ones in the same turn join it.
      if (queue.length === 0) setImmediate(flush)
      queue.push({ ...write, resolve, reject })
    })
  }
  const save = (key: string, value: unknown, expectedVersion: number, saveOptions: SaveOptions = {}): Promise<SaveResult> => {
    const json = JSON.stringify(value)
    if (isTooLarge(json)) return Promise.resolve({ ok: false, reason: 'too-large' })
    return enqueue({ key, json, expires: saveOptions.expiresAt ?? null, expectedVersion, durable: saveOptions.durable ?? true })
  }
  return {
    async load(key) {
      const row = select.get({ key, now: now() }) as { version: number; value: string } | undefined
      return row ? { value: JSON.parse(row.value), version: row.version } : undefined
    },
    save,
    // Saves made in one turn share one transaction (the group commit above): all or none are durable.
    saveTogether(writes) {
      return Promise.all(writes.map((write) => save(write.key, write.value, write.expectedVersion, write.options)))
    },
    delete(key, expectedVersion) {
      if (expectedVersion === 0) return Promise.resolve({ ok: false, reason: 'conflict' })
      return enqueue({ key, json: undefined, expires: null, expectedVersion, durable: true })
    },
    async list(prefix, listOptions = {}): Promise<ListPage> {
      const { descending = false, from, after, limit } = listOptions
      const end = `${prefix}\uffff`
      const rows = descending
        ? rangeDescending.all({ low: prefix, high: from !== undefined && from < end ? from : end, after: after ?? end, now: now(), limit: limit === undefined ? -1 : limit + 1 })
        : range.all({ low: from !== undefined && from > prefix ? from : prefix, high: end, after: after ?? '', now: now(), limit: limit === undefined ? -1 : limit + 1 })
      const keys = (rows as { key: string }[]).map((row) => row.key)
      if (limit === undefined || keys.length <= limit) return { keys }
      keys.length = limit
      return { keys, ...(limit > 0 ? { next: keys[limit - 1] as string } : {}) }
    },
    async close() {
      closed = true
      if (queue.length > 0) flush()
      db.close()
    },
  }
}

// State files written before expiry existed lack the column: it is added, every row never expiring.
function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL, expires INTEGER) STRICT')
  const columns = db.prepare('PRAGMA table_info(state)').all() as { name: string }[]
  if (!columns.some((column) => column.name === 'expires')) db.exec('ALTER TABLE state ADD COLUMN expires INTEGER')
}

// Runs the batch in one transaction, in arrival order, so that two writes of one key in a batch
// conflict exactly as they would one after the other. Results are released after COMMIT only.
// Returns whether the batch committed.
function commitBatch(db: DatabaseSync, statements: Statements, batch: PendingWrite[], now: number): boolean {
  const results: Array<SaveResult | { error: unknown }> = []
  try {
    db.exec('BEGIN IMMEDIATE')
    for (const write of batch) results.push(runWrite(statements, write, now))
    db.exec('COMMIT')
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    for (const write of batch) write.reject(error)
    return false
  }
  for (const [i, write] of batch.entries()) {
    const result = results[i] as SaveResult | { error: unknown }
    if ('error' in result) write.reject(result.error)
    else write.resolve(result)
  }
  return true
}

function runWrite(statements: Statements, write: PendingWrite, now: number): SaveResult | { error: unknown } {
  try {
    const { key, json, expires, expectedVersion: version } = write
    const result =
      json === undefined
        ? statements.remove.run({ key, version, now })
        : version === 0
          ? statements.insert.run({ key, value: json, expires, now })
          : statements.update.run({ key, value: json, expires, version, now })
    if (result.changes !== 1) return { ok: false, reason: 'conflict' }
    return { ok: true, version: json === undefined ? 0 : version + 1 }
  } catch (error) {
    return { error }
  }
}
