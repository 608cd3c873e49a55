/**
 * The status view (`GET /status`): per image and version, what was expected, what arrived and
 * when, where it stands and what was published where; per image the moving tags; the last sweep.
 * Read-only.
 */
import type { ImageConfig } from '../config.ts'
import type { ImageState } from '../core/image-state.ts'
import { decideVersion, type VersionDecision, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, SWEEP_KEY, versionPrefix } from '../state/store.ts'
import type { SweepRecord } from './sweep.ts'

export type VersionStatusState = 'waiting' | 'stale' | 'publishing' | 'published' | 'partial' | 'refused'

/** Builds the status of every configured image, or of the one named. */
export async function buildStatus(deps: Deps, only?: string): Promise<{ images: unknown[]; sweep?: SweepRecord; warnings?: string[] }> {
  const images = deps.config.images.filter((image) => !only || image.name === only)
  const sweep = (await deps.store.load(SWEEP_KEY))?.value as SweepRecord | undefined
  const warnings = deps.config.warnings.length > 0 ? { warnings: deps.config.warnings } : {}
  return { images: await Promise.all(images.map((image) => buildImageStatus(deps, image))), ...(sweep ? { sweep } : {}), ...warnings }
}

async function buildImageStatus(deps: Deps, image: ImageConfig) {
  const tags = ((await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined)?.tags ?? {}
  const keys = await deps.store.list(versionPrefix(image.name))
  const states = await Promise.all(keys.map(async (key) => (await deps.store.load(key))?.value as VersionState | undefined))
  return {
    image: image.name,
    targets: image.targetNames,
    platforms: image.platforms.map((p) => p.key),
    tags,
    versions: states.flatMap((state) => (state ? [formatVersionStatus(state, image)] : [])),
  }
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
    ...(state.expired ? { deadline: state.expired } : {}),
    ...(publication ? { published: { digest: publication.digest, mediaType: publication.mediaType, tags: publication.tags, targets: publication.targets, partial: publication.partial, at: publication.at } } : {}),
    ...(state.failure ? { lastError: state.failure } : {}),
    updatedAt: state.updatedAt,
  }
}

function stateOf(decision: VersionDecision): VersionStatusState {
  if (decision.kind === 'ready') return 'publishing'
  if (decision.kind === 'published') return decision.publication.partial ? 'partial' : 'published'
  return decision.kind
}

function details(decision: VersionDecision, state: VersionState): Record<string, unknown> {
  if (decision.kind === 'waiting' || decision.kind === 'stale') return { missing: decision.missing, pending: decision.pending }
  if (decision.kind === 'published' && decision.publication.partial) return { missing: state.expected.filter((p) => !state.arrivals[p]?.child) }
  if (decision.kind === 'refused') return { refused: decision.refusals, reason: decision.refusals.map((r) => `${r.platform}: ${r.reason}`).join('; ') }
  return {}
}
