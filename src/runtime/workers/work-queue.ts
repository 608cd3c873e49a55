/**
 * An object's durable queue of work items, in its SQLite storage: one row per dedupe key with the
 * item, when it is due and how often it failed. The object's alarm runs the due rows one after
 * another (workerd never runs two alarms of one object at once), so an image's registry work is
 * serialized by construction; the alarm is always set to the earliest due row.
 */
import type { SqlStorage } from './workers-types.ts'

/** One queued item as the alarm sees it. */
export interface QueuedWork<T> {
  key: string
  item: T
  attempts: number
  /** Bumped by every add: a row added again while it ran is not removed by `done`. */
  generation: number
}

export interface WorkQueue<T> {
  /** Queues `item` due at `dueAt`; an item with the same key keeps the earlier due time. */
  add(key: string, item: T, dueAt: number): void
  /** The rows due at `now`, earliest first. */
  due(now: number): QueuedWork<T>[]
  /** Removes a row that ran, unless it was added again meanwhile. */
  done(work: QueuedWork<T>): void
  /** Puts a failed row back, due at `dueAt`, with one more attempt counted. */
  retry(work: QueuedWork<T>, dueAt: number): void
  /** The earliest due time, or undefined when the queue is empty. */
  nextDue(): number | undefined
  size(): number
}

type Row = { key: string; item: string; attempts: number; generation: number }

/** Creates the table if needed and returns the queue over it. */
export function createWorkQueue<T>(sql: SqlStorage): WorkQueue<T> {
  sql.exec('CREATE TABLE IF NOT EXISTS work (key TEXT PRIMARY KEY, item TEXT NOT NULL, due INTEGER NOT NULL, attempts INTEGER NOT NULL, generation INTEGER NOT NULL)')
  return {
    add(key, item, dueAt) {
      sql.exec(
        'INSERT INTO work (key, item, due, attempts, generation) VALUES (?, ?, ?, 0, 1) ON CONFLICT (key) DO UPDATE SET item = excluded.item, due = MIN(due, excluded.due), generation = generation + 1',
        key,
        JSON.stringify(item),
        dueAt,
      )
    },
    due(now) {
      const rows = sql.exec<Row>('SELECT key, item, attempts, generation FROM work WHERE due <= ? ORDER BY due, key', now).toArray()
      return rows.map((row) => ({ key: row.key, item: JSON.parse(row.item) as T, attempts: row.attempts, generation: row.generation }))
    },
    done(work) {
      sql.exec('DELETE FROM work WHERE key = ? AND generation = ?', work.key, work.generation)
    },
    retry(work, dueAt) {
      // Added again while it ran: the new row is due already and keeps its own count.
      sql.exec('UPDATE work SET due = ?, attempts = attempts + 1 WHERE key = ? AND generation = ?', dueAt, work.key, work.generation)
    },
    nextDue() {
      const row = sql.exec<{ due: number | null }>('SELECT MIN(due) AS due FROM work').one()
      return row.due ?? undefined
    },
    size() {
      return sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM work').one().n
    },
  }
}
