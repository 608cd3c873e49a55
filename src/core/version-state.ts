/**
 * The ledger of one image version: which per-arch tags arrived, what they resolved to, and what
 * was published. Pure transition rules; the pipeline loads, applies one, and saves (optimistically).
 */
import type { Descriptor } from './image-documents.ts'
import type { IndexChild } from './index-manifest.ts'

/**
 * What one arch tag resolved to: the digest it named, the child to put in the index, and the
 * child's `org.opencontainers.image.*` annotations and labels (for the index's annotations).
 */
export interface ResolvedChild extends IndexChild {
  tagDigest: string
  imageAnnotations?: Record<string, string>
}

/**
 * One platform's arrival. `seq` grows each time the tag must be (re)resolved; while pending again,
 * `previous` keeps the last good resolution so an unchanged tag need not be verified and copied twice.
 * `eventAt` is the sortable time of the newest event seen for this source (older events are stale).
 * `attempts` counts failed resolutions, `retryAt` is when the next one is due, and `unresolvable`
 * means the retries ended (core/arrival-retry.ts); `reason` then holds the last error.
 */
export interface Arrival {
  source: string
  seq: number
  receivedAt: string
  status: 'pending' | 'ready' | 'refused' | 'unresolvable'
  attempts?: number
  retryAt?: string
  hintDigest?: string
  hintBlobs?: Descriptor[]
  eventAt?: string
  tagDigest?: string
  child?: ResolvedChild
  previous?: ResolvedChild
  reason?: string
}

/** What was last pushed for this version. `manifest` is the exact index text. */
export interface Publication {
  digest: string
  mediaType: string
  manifest: string
  children: string[]
  tags: string[]
  targets: string[]
  partial: boolean
  at: string
}

/** What happens to a version still incomplete when its deadline passes. */
export type DeadlineAction = 'publish-partial' | 'stale'

export interface VersionState {
  image: string
  version: string
  expected: string[]
  arrivals: Record<string, Arrival>
  publication?: Publication
  expired?: { action: DeadlineAction; at: string }
  failure?: { message: string; at: string; attempts: number }
  createdAt: string
  updatedAt: string
}

/** Where a version stands, derived from its state. */
export type VersionDecision =
  | { kind: 'waiting'; missing: string[]; pending: string[]; unresolvable: string[] }
  | { kind: 'stale'; missing: string[]; pending: string[]; unresolvable: string[] }
  | { kind: 'refused'; refusals: { platform: string; reason: string }[] }
  | { kind: 'ready'; children: ResolvedChild[]; partial: boolean }
  | { kind: 'published'; publication: Publication }

/** Creates the empty ledger for a version. */
export function createVersionState(image: string, version: string, expected: string[], now: string): VersionState {
  return { image, version, expected: [...expected], arrivals: {}, createdAt: now, updatedAt: now }
}

/** A push of an arch tag: the platform it claims, its source reference and what the event said. */
export interface ArrivalInput {
  platform: string
  source: string
  hintDigest?: string
  hintBlobs?: Descriptor[]
  eventAt?: string
  receivedAt: string
}

// Blob hints only start copies early; beyond this many the resolve reads the manifest instead,
// and the ledger stays far below the store's MAX_VALUE_BYTES (a distribution event may list 1,000).
const MAX_HINT_BLOBS = 16

/** Records an arrival; returns undefined when it changes nothing (a duplicate or stale delivery). */
export function recordArrival(state: VersionState, input: ArrivalInput): VersionState | undefined {
  const existing = state.arrivals[input.platform]
  if (existing && (isDuplicate(existing, input) || isStale(existing, input))) return undefined
  const kept = existing?.source === input.source ? (existing.child ?? existing.previous) : undefined
  const eventAt = newest(existing?.source === input.source ? existing.eventAt : undefined, input.eventAt)
  const arrival: Arrival = {
    source: input.source,
    seq: (existing?.seq ?? 0) + 1,
    receivedAt: input.receivedAt,
    status: 'pending',
    ...(input.hintDigest ? { hintDigest: input.hintDigest } : {}),
    ...(input.hintDigest && input.hintBlobs?.length && input.hintBlobs.length <= MAX_HINT_BLOBS ? { hintBlobs: input.hintBlobs } : {}),
    ...(eventAt ? { eventAt } : {}),
    ...(kept ? { previous: kept } : {}),
  }
  return touch({ ...state, arrivals: { ...state.arrivals, [input.platform]: arrival } }, input.receivedAt)
}

// Same source and the digest already known: nothing new. Without a digest (Docker Hub) an arrival
// that is not pending must be re-resolved, since only the registry knows whether the tag moved. A
// redelivery of an unresolvable push does not start its retries again; a new digest does.
function isDuplicate(existing: Arrival, input: ArrivalInput): boolean {
  if (existing.source !== input.source) return false
  if (existing.status === 'pending') return !input.hintDigest || input.hintDigest === existing.hintDigest
  if (existing.status === 'unresolvable') return input.hintDigest !== undefined && input.hintDigest === existing.hintDigest
  return input.hintDigest !== undefined && input.hintDigest === existing.tagDigest
}

// A delivery older than one already seen for the same tag must not roll the tag back.
function isStale(existing: Arrival, input: ArrivalInput): boolean {
  return existing.source === input.source && !!existing.eventAt && !!input.eventAt && input.eventAt < existing.eventAt
}

function newest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a ?? b
  return a > b ? a : b
}

/** The registry's answer for one arrival. */
export type Resolution =
  | { kind: 'ready'; child: ResolvedChild }
  | { kind: 'refused'; reason: string; tagDigest?: string }

/** Applies a resolution; undefined when the arrival moved on meanwhile (its `seq` changed). */
export function applyResolution(state: VersionState, platform: string, seq: number, resolution: Resolution, now: string): VersionState | undefined {
  const arrival = state.arrivals[platform]
  if (!arrival || arrival.seq !== seq) return undefined
  const { child: _child, reason: _reason, tagDigest: _tagDigest, previous: _previous, attempts: _attempts, retryAt: _retryAt, ...base } = arrival
  const next: Arrival =
    resolution.kind === 'ready'
      ? { ...base, status: 'ready', tagDigest: resolution.child.tagDigest, child: resolution.child }
      : { ...base, status: 'refused', reason: resolution.reason, ...(resolution.tagDigest ? { tagDigest: resolution.tagDigest } : {}) }
  return touch({ ...state, arrivals: { ...state.arrivals, [platform]: next } }, now)
}

/** Decides where the version stands; `targets` are the repositories it must be published to. */
export function decideVersion(state: VersionState, targets: readonly string[] = [state.image]): VersionDecision {
  const refusals = state.expected.flatMap((platform) => {
    const arrival = state.arrivals[platform]
    return arrival?.status === 'refused' ? [{ platform, reason: arrival.reason ?? 'refused' }] : []
  })
  if (refusals.length > 0) return { kind: 'refused', refusals }
  const missing = state.expected.filter((platform) => !state.arrivals[platform])
  const pending = state.expected.filter((platform) => state.arrivals[platform]?.status === 'pending')
  const unresolvable = state.expected.filter((platform) => state.arrivals[platform]?.status === 'unresolvable')
  const ready = state.expected.flatMap((platform) => state.arrivals[platform]?.child ?? [])
  const complete = missing.length === 0 && pending.length === 0 && unresolvable.length === 0
  const partial = !complete && state.expired?.action === 'publish-partial' && pending.length === 0 && ready.length > 0
  if (!complete && !partial) return { kind: state.expired?.action === 'stale' ? 'stale' : 'waiting', missing, pending, unresolvable }
  const publication = state.publication
  const covered = publication && targets.every((target) => publication.targets.includes(target))
  if (covered && publication.partial === partial && sameList(publication.children, childDigests(ready))) return { kind: 'published', publication }
  return { kind: 'ready', children: ready, partial }
}

/** Lists every manifest digest an index over these children references, in index order. */
export function childDigests(children: IndexChild[]): string[] {
  return [...children.map((c) => c.manifest.digest), ...children.flatMap((c) => c.attestations.map((a: Descriptor) => a.digest))]
}

/** Applies the image's deadline: an incomplete version past it is published partially or marked stale. */
export function expireVersion(state: VersionState, action: DeadlineAction, deadlineMs: number, now: string): VersionState | undefined {
  if (state.expired || Date.parse(now) - Date.parse(state.createdAt) < deadlineMs) return undefined
  const decision = decideVersion(state)
  if (decision.kind !== 'waiting') return undefined
  return touch({ ...state, expired: { action, at: now } }, now)
}

/** Records a successful publication to `target` and clears any failure. */
export function markPublished(state: VersionState, publication: Omit<Publication, 'targets'>, target: string): VersionState {
  const { failure: _failure, ...rest } = state
  const same = state.publication?.digest === publication.digest
  const targets = same ? [...new Set([...(state.publication?.targets ?? []), target])] : [target]
  return touch({ ...rest, publication: { ...publication, targets } }, publication.at)
}

/** Records a failed publish attempt (the sweep retries it). */
export function markFailed(state: VersionState, message: string, now: string): VersionState {
  const attempts = (state.failure?.attempts ?? 0) + 1
  return touch({ ...state, failure: { message, at: now, attempts } }, now)
}

/** Forgets that `target` has the version tag (the registry no longer has it); the next pass re-pushes it. */
export function markTargetMissing(state: VersionState, target: string, now: string): VersionState | undefined {
  if (!state.publication?.targets.includes(target)) return undefined
  const targets = state.publication.targets.filter((t) => t !== target)
  return touch({ ...state, publication: { ...state.publication, targets } }, now)
}

function touch(state: VersionState, now: string): VersionState {
  return { ...state, updatedAt: now }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}
