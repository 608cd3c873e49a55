/**
 * The state port: a key-value store with optimistic concurrency. `load` returns the value and its
 * version; `save` writes only if the version is still the one loaded. Adapters: memory, sqlite
 * (Node), and more to come; one contract suite (test/state/store-contract.ts) runs against all.
 */

/** A stored value and the version it was loaded at (versions start at 1; 0 means absent). */
export interface Versioned<T = unknown> {
  value: T
  version: number
}

/** Options of `list`: the order (descending puts the greatest keys first), a cap, and a lower bound. */
export interface ListOptions {
  descending?: boolean
  limit?: number
  /** Only keys at or after this one (a range scan, not a filter of every key). */
  from?: string
}

/** Outcome of a conditional save. */
export type SaveResult = { ok: true; version: number } | { ok: false; reason: 'conflict' }

export interface StateStore {
  /** Loads a value; undefined when the key does not exist. */
  load(key: string): Promise<Versioned | undefined>
  /** Writes `value` if the key is still at `expectedVersion` (0 = must not exist yet). */
  save(key: string, value: unknown, expectedVersion: number): Promise<SaveResult>
  /** Lists the keys starting with `prefix`, ascending (or descending with `newestFirst`), at most `limit`. */
  list(prefix: string, options?: ListOptions): Promise<string[]>
  /** Releases resources (file handles); optional. */
  close?(): Promise<void>
}

/** Key of one image version's ledger. */
export function versionKey(image: string, version: string): string {
  return `version/${image}/${version}`
}

/** Prefix of every version ledger of an image. */
export function versionPrefix(image: string): string {
  return `version/${image}/`
}

/**
 * Key of a write-once marker of when a version was first seen: listing `recentPrefix(image)`
 * descending gives the newest versions first without loading every ledger of the image.
 */
export function recentKey(image: string, createdAt: string, version: string): string {
  return `recent/${image}/${createdAt}/${version}`
}

/** Reads a key made by `recentKey(image, …)` back into its parts. */
export function parseRecentKey(image: string, key: string): { createdAt: string; version: string } {
  const [createdAt = '', version = ''] = key.slice(recentPrefix(image).length).split('/')
  return { createdAt, version }
}

/** Prefix of an image's version markers (see `recentKey`). */
export function recentPrefix(image: string): string {
  return `recent/${image}/`
}

/** Key of one image's moving-tag ledger. */
export function imageKey(image: string): string {
  return `image/${image}`
}

/** Key of the sweep record: the last sweep's report and when the last full one ran. */
export const SWEEP_KEY = 'sweep/record'

/** Key of what the first tag listing of an image found (see pipeline/discover-versions.ts). */
export function discoveryKey(image: string): string {
  return `discovery/${image}`
}
