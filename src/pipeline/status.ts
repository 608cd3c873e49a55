/**
 * The status view (`GET /status`): per image and version, what was expected, what arrived and
 * when, where it stands and what was published where; per image the moving tags; the last sweep.
 * Read-only.
 */
import type { ImageConfig } from '../config.ts'
import type { ImageState } from '../core/image-state.ts'
import { decideVersion, type VersionDecision, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { InvalidPayloadError } from '../errors.ts'
import { imageKey, listKeys, parseRecentKey, recentPrefix, versionKey, versionPrefix } from '../state/store.ts'
import { loadSweepRecord, type SweepRecord } from './sweep-record.ts'

export type VersionStatusState = 'waiting' | 'stale' | 'unresolvable' | 'publishing' | 'published' | 'partial' | 'refused'

/** Which part of the status to build: one image, one version, at most `limit` versions per image (the newest). */
export interface StatusQuery {
  image?: string
  version?: string
  limit: number
}

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 10_000

/** Reads `?image=&version=&limit=`; throws InvalidPayloadError (400) for a bad limit. */
export function parseStatusQuery(params: { image?: string; version?: string; limit?: string }): StatusQuery {
  const limit = params.limit === undefined ? DEFAULT_LIMIT : Number(params.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidPayloadError(`limit must be a whole number from 1 to ${MAX_LIMIT}`)
  return { ...(params.image ? { image: params.image } : {}), ...(params.version ? { version: params.version } : {}), limit }
}

/** Builds the status of every configured image, or of the one named. */
export async function buildStatus(deps: Deps, query: StatusQuery): Promise<{ images: unknown[]; sweep?: SweepRecord; warnings?: string[] }> {
  const images = deps.config.images.filter((image) => !query.image || image.name === query.image)
  const sweep = await loadSweepRecord(deps)
  const warnings = deps.config.warnings.length > 0 ? { warnings: deps.config.warnings } : {}
  return { images: await Promise.all(images.map((image) => buildImageStatus(deps, image, query))), ...(sweep ? { sweep } : {}), ...warnings }
}

async function buildImageStatus(deps: Deps, image: ImageConfig, query: StatusQuery) {
  const tags = ((await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined)?.tags ?? {}
  const { keys, omitted } = await selectVersionKeys(deps, image, query)
  const states = await Promise.all(keys.map(async (key) => (await deps.store.load(key))?.value as VersionState | undefined))
  return {
    image: image.name,
    targets: image.targetNames,
    platforms: image.platforms.map((p) => p.key),
    tags,
    versions: states.flatMap((state) => (state ? [formatVersionStatus(state, image)] : [])),
    ...(omitted > 0 ? { versionsOmitted: omitted } : {}),
  }
}

// Every version when there are at most `limit`; else the newest by their `recent/` markers, in key order.
export async function selectVersionKeys(deps: Deps, image: ImageConfig, query: StatusQuery): Promise<{ keys: string[]; omitted: number }> {
  if (query.version !== undefined) return { keys: [versionKey(image.name, query.version)], omitted: 0 }
  const keys = await listKeys(deps.store, versionPrefix(image.name))
  if (keys.length <= query.limit) return { keys, omitted: 0 }
  const markers = await listKeys(deps.store, recentPrefix(image.name), { descending: true, limit: query.limit * 2 })
  const newest = new Set<string>()
  for (const marker of markers) {
    if (newest.size >= query.limit) break
    newest.add(versionKey(image.name, parseRecentKey(image.name, marker).version))
  }
  return { keys: keys.filter((key) => newest.has(key)), omitted: keys.length - newest.size }
}

/** Formats one version's ledger for humans and scripts. */
export function formatVersionStatus(state: VersionState, image: ImageConfig) {
  const decision = decideVersion(state, image.targetNames)
  const arrivals = Object.values(state.arrivals)
  const arrived = Object.fromEntries(arrivals.map((a) => [a.source, (a.status === 'pending' ? a.hintDigest : a.tagDigest) ?? a.tagDigest ?? null]))
  const arrivedAt = Object.fromEntries(arrivals.map((a) => [a.source, a.receivedAt]))
  const publication = state.publication
  return {
    version: state.version,
    state: stateOf(decision),
    expected: state.expected,
    arrived,
    arrivedAt,
    ...details(decision, state),
    ...failingArrivals(state),
    ...(state.expired ? { deadline: state.expired } : {}),
    ...(publication ? { published: { digest: publication.digest, mediaType: publication.mediaType, tags: publication.tags, targets: publication.targets, partial: publication.partial, at: publication.at } } : {}),
    ...lastErrorOf(state),
    updatedAt: state.updatedAt,
  }
}

function stateOf(decision: VersionDecision): VersionStatusState {
  if (decision.kind === 'ready') return 'publishing'
  if ((decision.kind === 'waiting' || decision.kind === 'stale') && decision.unresolvable.length > 0) return 'unresolvable'
  if (decision.kind === 'published') return decision.publication.partial ? 'partial' : 'published'
  return decision.kind
}

function details(decision: VersionDecision, state: VersionState): Record<string, unknown> {
  if (decision.kind === 'waiting' || decision.kind === 'stale') return { missing: decision.missing, pending: decision.pending, ...(decision.unresolvable.length > 0 ? { unresolvable: decision.unresolvable } : {}) }
  if (decision.kind === 'published' && decision.publication.partial) return { missing: state.expected.filter((p) => !state.arrivals[p]?.child) }
  if (decision.kind === 'refused') return { refused: decision.refusals, reason: decision.refusals.map((r) => `${r.platform}: ${r.reason}`).join('; ') }
  return {}
}

// Arrivals that failed to resolve: retried with backoff (`retryAt`) or given up (`unresolvable`).
function failingArrivals(state: VersionState): { attempts?: Record<string, { attempts: number; lastError: string; retryAt?: string; unresolvable: boolean }> } {
  const failing = Object.entries(state.arrivals).filter(([, a]) => a.attempts !== undefined && (a.status === 'pending' || a.status === 'unresolvable'))
  if (failing.length === 0) return {}
  return {
    attempts: Object.fromEntries(
      failing.map(([platform, a]) => [platform, { attempts: a.attempts ?? 0, lastError: a.reason ?? '', ...(a.retryAt ? { retryAt: a.retryAt } : {}), unresolvable: a.status === 'unresolvable' }]),
    ),
  }
}

// The version's own failure (a publish), else the newest failed arrival's.
function lastErrorOf(state: VersionState): { lastError?: { message: string; at?: string; attempts: number; platform?: string } } {
  if (state.failure) return { lastError: state.failure }
  const failed = Object.entries(state.arrivals).filter(([, a]) => a.attempts !== undefined && a.reason !== undefined)
  const [platform, arrival] = failed.sort(([, a], [, b]) => (a.receivedAt < b.receivedAt ? 1 : -1))[0] ?? []
  return arrival ? { lastError: { message: arrival.reason ?? '', attempts: arrival.attempts ?? 0, ...(platform ? { platform } : {}) } } : {}
}
