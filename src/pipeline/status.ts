/**
 * The status view (`GET /status`): per image and version, what was expected, what arrived, where
 * it stands and what was published. Read-only.
 */
import type { ImageConfig } from '../config.ts'
import type { ImageState } from '../core/image-state.ts'
import { decideVersion, type VersionDecision, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionPrefix } from '../state/store.ts'

export type VersionStatusState = 'waiting' | 'publishing' | 'published' | 'refused'

/** Builds the status of every configured image, or of the one named. */
export async function buildStatus(deps: Deps, only?: string): Promise<{ images: unknown[] }> {
  const images = deps.config.images.filter((image) => !only || image.name === only)
  return { images: await Promise.all(images.map((image) => buildImageStatus(deps, image))) }
}

async function buildImageStatus(deps: Deps, image: ImageConfig) {
  const tags = ((await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined)?.tags ?? {}
  const keys = await deps.store.list(versionPrefix(image.name))
  const states = await Promise.all(keys.map(async (key) => (await deps.store.load(key))?.value as VersionState))
  return {
    image: image.name,
    platforms: image.platforms.map((p) => p.key),
    tags,
    versions: states.filter(Boolean).map(formatVersionStatus),
  }
}

/** Formats one version's ledger for humans and scripts. */
export function formatVersionStatus(state: VersionState) {
  const decision = decideVersion(state)
  const arrivals = Object.values(state.arrivals)
  const arrived = Object.fromEntries(arrivals.map((a) => [a.source, (a.status === 'pending' ? a.hintDigest : a.tagDigest) ?? a.tagDigest ?? null]))
  const arrivedAt = Object.fromEntries(arrivals.map((a) => [a.source, a.receivedAt]))
  return {
    version: state.version,
    state: stateOf(decision),
    expected: state.expected,
    arrived,
    arrivedAt,
    ...details(decision),
    ...(state.publication ? { published: { digest: state.publication.digest, mediaType: state.publication.mediaType, tags: state.publication.tags, at: state.publication.at } } : {}),
    ...(state.failure ? { lastError: state.failure } : {}),
    updatedAt: state.updatedAt,
  }
}

function stateOf(decision: VersionDecision): VersionStatusState {
  if (decision.kind === 'ready') return 'publishing'
  return decision.kind
}

function details(decision: VersionDecision): Record<string, unknown> {
  if (decision.kind === 'waiting') return { missing: decision.missing, pending: decision.pending }
  if (decision.kind === 'refused') return { refused: decision.refusals, reason: decision.refusals.map((r) => `${r.platform}: ${r.reason}`).join('; ') }
  return {}
}
