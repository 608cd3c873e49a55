/**
 * The ledger of one image version: which per-arch tags arrived, what they resolved to, and what
 * was published. Pure transition rules; the pipeline loads, applies one, and saves (optimistically).
 */
import type { Descriptor } from './image-documents.ts'
import type { IndexChild } from './index-manifest.ts'

/** What one arch tag resolved to: the digest it named and the child to put in the index. */
export interface ResolvedChild extends IndexChild {
  tagDigest: string
}

/**
 * One platform's arrival. `seq` grows each time the tag must be (re)resolved; while pending again,
 * `previous` keeps the last good resolution so an unchanged tag need not be verified and copied twice.
 */
export interface Arrival {
  source: string
  seq: number
  receivedAt: string
  status: 'pending' | 'ready' | 'refused'
  hintDigest?: string
  hintBlobs?: Descriptor[]
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
  at: string
}

export interface VersionState {
  image: string
  version: string
  expected: string[]
  arrivals: Record<string, Arrival>
  publication?: Publication
  failure?: { message: string; at: string; attempts: number }
  createdAt: string
  updatedAt: string
}

/** Where a version stands, derived from its state. */
export type VersionDecision =
  | { kind: 'waiting'; missing: string[]; pending: string[] }
  | { kind: 'refused'; refusals: { platform: string; reason: string }[] }
  | { kind: 'ready'; children: ResolvedChild[] }
  | { kind: 'published'; publication: Publication }

/** Creates the empty ledger for a version. */
export function createVersionState(image: string, version: string, expected: string[], now: string): VersionState {
  return { image, version, expected: [...expected], arrivals: {}, createdAt: now, updatedAt: now }
}

/** A push of an arch tag: the platform it claims, its source reference and the digest the event named. */
export interface ArrivalInput {
  platform: string
  source: string
  hintDigest?: string
  hintBlobs?: Descriptor[]
  receivedAt: string
}

/** Records an arrival; returns undefined when it changes nothing (a duplicate delivery). */
export function recordArrival(state: VersionState, input: ArrivalInput): VersionState | undefined {
  const existing = state.arrivals[input.platform]
  if (existing && isDuplicate(existing, input)) return undefined
  const arrival: Arrival = {
    source: input.source,
    seq: (existing?.seq ?? 0) + 1,
    receivedAt: input.receivedAt,
    status: 'pending',
    ...(input.hintDigest ? { hintDigest: input.hintDigest } : {}),
    ...(input.hintDigest && input.hintBlobs?.length ? { hintBlobs: input.hintBlobs } : {}),
    ...(existing?.source === input.source && (existing.child ?? existing.previous) ? { previous: existing.child ?? existing.previous } : {}),
  }
  return touch({ ...state, arrivals: { ...state.arrivals, [input.platform]: arrival } }, input.receivedAt)
}

// Same source and the digest already known: nothing new. Without a digest (Docker Hub) an arrival
// that is not pending must be re-resolved, since only the registry knows whether the tag moved.
function isDuplicate(existing: Arrival, input: ArrivalInput): boolean {
  if (existing.source !== input.source) return false
  if (existing.status === 'pending') return !input.hintDigest || input.hintDigest === existing.hintDigest
  return input.hintDigest !== undefined && input.hintDigest === existing.tagDigest
}

/** The registry's answer for one arrival. */
export type Resolution =
  | { kind: 'ready'; child: ResolvedChild }
  | { kind: 'refused'; reason: string; tagDigest?: string }

/** Applies a resolution; undefined when the arrival moved on meanwhile (its `seq` changed). */
export function applyResolution(
  state: VersionState,
  platform: string,
  seq: number,
  resolution: Resolution,
  now: string,
): VersionState | undefined {
  const arrival = state.arrivals[platform]
  if (!arrival || arrival.seq !== seq) return undefined
  const { child: _child, reason: _reason, tagDigest: _tagDigest, previous: _previous, ...base } = arrival
  const next: Arrival =
    resolution.kind === 'ready'
      ? { ...base, status: 'ready', tagDigest: resolution.child.tagDigest, child: resolution.child }
      : { ...base, status: 'refused', reason: resolution.reason, ...(resolution.tagDigest ? { tagDigest: resolution.tagDigest } : {}) }
  return touch({ ...state, arrivals: { ...state.arrivals, [platform]: next } }, now)
}

/** Decides where the version stands: refused, waiting, ready to publish, or already published. */
export function decideVersion(state: VersionState): VersionDecision {
  const refusals = state.expected.flatMap((platform) => {
    const arrival = state.arrivals[platform]
    return arrival?.status === 'refused' ? [{ platform, reason: arrival.reason ?? 'refused' }] : []
  })
  if (refusals.length > 0) return { kind: 'refused', refusals }
  const missing = state.expected.filter((platform) => !state.arrivals[platform])
  const pending = state.expected.filter((platform) => state.arrivals[platform]?.status === 'pending')
  if (missing.length > 0 || pending.length > 0) return { kind: 'waiting', missing, pending }
  const children = state.expected.map((platform) => state.arrivals[platform]?.child as ResolvedChild)
  const publication = state.publication
  if (publication && sameList(publication.children, childDigests(children))) return { kind: 'published', publication }
  return { kind: 'ready', children }
}

/** Lists every manifest digest an index over these children references, in index order. */
export function childDigests(children: IndexChild[]): string[] {
  return [...children.map((c) => c.manifest.digest), ...children.flatMap((c) => c.attestations.map((a: Descriptor) => a.digest))]
}

/** Records a successful publication and clears any failure. */
export function markPublished(state: VersionState, publication: Publication): VersionState {
  const { failure: _failure, ...rest } = state
  return touch({ ...rest, publication }, publication.at)
}

/** Records a failed publish attempt (the sweep retries it). */
export function markFailed(state: VersionState, message: string, now: string): VersionState {
  const attempts = (state.failure?.attempts ?? 0) + 1
  return touch({ ...state, failure: { message, at: now, attempts } }, now)
}

function touch(state: VersionState, now: string): VersionState {
  return { ...state, updatedAt: now }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}
