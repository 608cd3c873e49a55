/**
 * The state port: a key-value store with optimistic concurrency, written so that a DynamoDB table
 * or one Durable Object per image can implement it without guessing. Adapters: memory, SQLite
 * (Node), DynamoDB (Lambda), Durable Objects (Workers); the contract suite
 * (test/state/store-contract.ts) runs unchanged against every one of them.
 *
 * Semantics every adapter keeps:
 * - Partitions. Every key belongs to one partition, `partitionOf(key)`: the image's name for the
 *   keys of one image (version/, recent/, image/, discovery/), GLOBAL_PARTITION for the rest
 *   (sweep/record). A `list` prefix always lies inside one partition, so DynamoDB's partition key
 *   and one Durable Object per image follow directly; nothing reads across partitions.
 * - Versions. A key's version starts at 1 and grows by one per save; `save` and `delete` take the
 *   version the caller loaded (0: the key must not exist) and refuse with `conflict` otherwise.
 * - Expiry. `save(…, { expiresAt })` (epoch ms) makes the entry read as absent from that instant:
 *   `load` returns undefined, `list` leaves it out, and it counts as not existing for `save`
 *   (expectedVersion 0 creates it again at version 1) and for `delete` (conflict). Adapters
 *   may remove expired entries later (DynamoDB TTL takes up to days); reads never show them.
 * - Size. A value whose JSON is over MAX_VALUE_BYTES (UTF-8) is refused with `too-large` and
 *   nothing is written (updateState throws StateTooLargeError). The largest value is a version's
 *   ledger (core/version-state.ts): per platform its arrival, resolved child and previous child,
 *   and at most 16 blob hints; plus the published index text. Measured worst case
 *   (test/core/ledger-size.test.ts): about 4.9 KB per platform plus 13 KB, so 4 platforms ≈ 26 KB
 *   and 16 platforms ≈ 94 KB, under this bound and a quarter of DynamoDB's 400 KB item limit.
 * - Durability. An acknowledged save survives a crash of the process. A save with `durable: false`
 *   may be lost only if the machine itself fails before the adapter's next durable write, which
 *   makes every earlier write durable too. It is for ledger entries the pipeline derives again
 *   from the registry (a resolved child, a publication, a pushed tag), never for an arrival (what
 *   a sender was told) or the moving-tag claim (what keeps `latest` moving forward). Lost, a
 *   resolution only means asking the registry again: a redelivery acknowledged as a duplicate of
 *   it has its arrival resolved again from the tag, as the first one was. DynamoDB and Durable
 *   Objects (every write durable) and memory (nothing survives anyway) ignore it; SQLite commits a
 *   batch of only such writes without waiting for fsync.
 * - Pagination. `list` returns keys in order (ascending, or descending), at most `limit` of them
 *   and possibly fewer (DynamoDB stops a page at 1 MB); when keys remain it sets `next`, which
 *   the caller passes back as `after` (exclusive) to continue. A page without `next` is the last.
 *   `next` is opaque to callers (the memory and SQLite adapters use the last key returned).
 * - Writes of several keys. There are no transactions across keys in general (DynamoDB Local and
 *   dynalite have none across partitions): a caller that writes several keys goes through
 *   `saveInOrder`, with the keys in an order that is safe when interrupted between any two
 *   writes. An adapter that can commit several writes at once (SQLite: one transaction, one
 *   fsync) offers `saveTogether`, and `saveInOrder` uses it: nothing can be interrupted then.
 *   The one such write: a new version saves its recent/ marker and then its ledger
 *   (pipeline/record-push.ts). Interrupted between them, a marker without a ledger is left,
 *   which every reader of markers skips and retention deletes; the delivery was not acknowledged,
 *   so its redelivery (or the sweep's tag listing) creates the version again with a new marker.
 *   The opposite order could leave a ledger without a marker, invisible to light sweeps.
 */

/** A stored value and the version it was loaded at (versions start at 1; 0 means absent). */
export interface Versioned<T = unknown> {
  value: T
  version: number
}

/** Options of `save`. */
export interface SaveOptions {
  /** Epoch ms from which the entry reads as absent; absent = never. */
  expiresAt?: number
  /** false: the write need not reach the disk before it is acknowledged (see Durability). Default true. */
  durable?: boolean
}

/** One write of `saveInOrder`: the arguments of `save`. */
export interface KeyWrite {
  key: string
  value: unknown
  expectedVersion: number
  options?: SaveOptions
}

/** Outcome of a conditional save or delete. */
export type SaveResult = { ok: true; version: number } | { ok: false; reason: 'conflict' | 'too-large' }

/** Options of `list`. */
export interface ListOptions {
  /** Greatest keys first. */
  descending?: boolean
  /** Page size; adapters may return fewer and set `next`. */
  limit?: number
  /** Inclusive bound: only keys at or after it (ascending), at or before it (descending). A range scan, not a filter. */
  from?: string
  /** Exclusive cursor: the `next` of the previous page. */
  after?: string
}

/** One page of keys; `next` (pass it as `after`) is set when keys remain. */
export interface ListPage {
  keys: string[]
  next?: string
}

export interface StateStore {
  /** Loads a value; undefined when the key does not exist or has expired. */
  load(key: string): Promise<Versioned | undefined>
  /** Writes `value` if the key is still at `expectedVersion` (0 = must not exist, or has expired). */
  save(key: string, value: unknown, expectedVersion: number, options?: SaveOptions): Promise<SaveResult>
  /** Deletes the key if it is at `expectedVersion`; ok → `{ ok: true, version: 0 }`. */
  delete(key: string, expectedVersion: number): Promise<SaveResult>
  /** One page of the unexpired keys starting with `prefix` (which lies inside one partition). */
  list(prefix: string, options?: ListOptions): Promise<ListPage>
  /**
   * Optional: the saves committed at once (all durable, or none), each conditional on its own
   * expected version exactly as `save` one after another; results in the order of `writes`.
   */
  saveTogether?(writes: readonly KeyWrite[]): Promise<SaveResult[]>
  /** Releases resources (file handles); optional. */
  close?(): Promise<void>
}

/** The largest value's JSON in UTF-8 bytes; far below DynamoDB's 400 KB item limit. */
export const MAX_VALUE_BYTES = 128 * 1024

/** The partition of keys that belong to no image. */
export const GLOBAL_PARTITION = '#global'

/** True when `json` is over MAX_VALUE_BYTES in UTF-8 (counted only when it could be: 3 bytes per UTF-16 unit at most). */
export function isTooLarge(json: string): boolean {
  if (json.length * 3 <= MAX_VALUE_BYTES) return false
  return json.length > MAX_VALUE_BYTES || new TextEncoder().encode(json).byteLength > MAX_VALUE_BYTES
}

// How many '/'-separated segments follow the image name in each kind of image key.
const TRAILING_SEGMENTS: Record<string, number> = { version: 1, recent: 2, image: 0, discovery: 0 }

/**
 * The partition of a key: the image name for image keys, GLOBAL_PARTITION for the rest. Image
 * names contain '/', versions and timestamps do not, so the kind prefix and the kind's trailing
 * segments are stripped. A list prefix (ending in '/') names its partition the same way.
 */
export function partitionOf(key: string): string {
  const slash = key.indexOf('/')
  const trailing = slash < 0 ? undefined : TRAILING_SEGMENTS[key.slice(0, slash)]
  if (trailing === undefined) return GLOBAL_PARTITION
  let rest = key.slice(slash + 1)
  if (rest.endsWith('/')) return rest.slice(0, -1) || GLOBAL_PARTITION
  for (let i = 0; i < trailing; i++) rest = rest.slice(0, Math.max(0, rest.lastIndexOf('/')))
  return rest || GLOBAL_PARTITION
}

/**
 * Saves `writes` in their order (see "Writes of several keys"): in one commit where the store
 * offers `saveTogether`, else one after another, stopping at nothing (each result is the caller's).
 */
export async function saveInOrder(store: StateStore, writes: readonly KeyWrite[]): Promise<SaveResult[]> {
  if (store.saveTogether) return store.saveTogether(writes)
  const results: SaveResult[] = []
  for (const { key, value, expectedVersion, options } of writes) results.push(await store.save(key, value, expectedVersion, options))
  return results
}

/**
 * Every key of a prefix, following `next` from page to page; with `limit`, at most that many in
 * all (a page may hold fewer than asked, so one page is not enough).
 */
export async function listKeys(store: StateStore, prefix: string, options: Omit<ListOptions, 'after'> = {}): Promise<string[]> {
  const keys: string[] = []
  let after: string | undefined
  if (options.limit === 0) return keys
  do {
    const remaining = options.limit === undefined ? undefined : options.limit - keys.length
    const page = await store.list(prefix, { ...options, ...(remaining === undefined ? {} : { limit: remaining }), ...(after === undefined ? {} : { after }) })
    keys.push(...page.keys)
    after = page.next
  } while (after !== undefined && (options.limit === undefined || keys.length < options.limit))
  return keys
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

/** Key of a registry found down by a tag listing; saved with an expiry (see pipeline/scheduled-sweep.ts). */
export function unreachableKey(registry: string): string {
  return `unreachable/${registry}`
}

/** Key of what the first tag listing of an image found (see pipeline/discover-versions.ts). */
export function discoveryKey(image: string): string {
  return `discovery/${image}`
}

/**
 * One `list` page over keys held in memory (the memory store, the CLI's dry-run overlay): the
 * range (`from`, `after`), the order and the page size applied as the port defines them.
 */
export function pageKeys(keys: Iterable<string>, prefix: string, options: ListOptions = {}): ListPage {
  const { descending = false, from, after, limit } = options
  const inRange = (key: string) =>
    key.startsWith(prefix) &&
    (from === undefined || (descending ? key <= from : key >= from)) &&
    (after === undefined || (descending ? key < after : key > after))
  const sorted = [...keys].filter(inRange).sort()
  if (descending) sorted.reverse()
  if (limit === undefined || sorted.length <= limit) return { keys: sorted }
  const page = sorted.slice(0, limit)
  return { keys: page, ...(page.length > 0 ? { next: page[page.length - 1] as string } : {}) }
}
