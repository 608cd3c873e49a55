/**
 * What the status page shows, read from the store: per image its moving tags and, per version
 * (newest first), one cell per expected platform (arrived with digest and time, pending, refused
 * with the reason, missing), the state, the publication and the last error; the last sweep.
 */
import type { ImageConfig } from '../config.ts'
import type { ImageState, MovingTag } from '../core/image-state.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { formatVersionStatus, selectVersionKeys, type VersionStatusState } from '../pipeline/status.ts'
import { loadSweepRecord, type SweepRecord } from '../pipeline/sweep-record.ts'
import { imageKey } from '../state/store.ts'

export type PlatformCell =
  | { kind: 'arrived'; digest?: string; at: string }
  | { kind: 'pending'; at: string }
  | { kind: 'refused'; reason: string; at: string }
  | { kind: 'missing' }

export interface VersionView {
  version: string
  state: VersionStatusState
  cells: PlatformCell[]
  published?: { digest: string; tags: string[]; targets: string[]; partial: boolean; at: string }
  lastError?: { message: string; at: string; attempts: number }
  updatedAt: string
}

export interface ImageView {
  image: string
  targets: string[]
  platforms: string[]
  tags: [string, MovingTag][]
  versions: VersionView[]
  versionsOmitted: number
}

export interface StatusView {
  images: ImageView[]
  sweep?: SweepRecord
  warnings: string[]
}

/** Versions per image the page shows (the newest). */
const PAGE_VERSIONS = 20

/** Reads the view of every configured image. */
export async function buildStatusView(deps: Deps): Promise<StatusView> {
  const images = await Promise.all(deps.config.images.map((image) => buildImageView(deps, image)))
  const sweep = await loadSweepRecord(deps)
  return { images, ...(sweep ? { sweep } : {}), warnings: deps.config.warnings }
}

async function buildImageView(deps: Deps, image: ImageConfig): Promise<ImageView> {
  const tags = ((await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined)?.tags ?? {}
  const { keys, omitted } = await selectVersionKeys(deps, image, { limit: PAGE_VERSIONS })
  const states = await Promise.all(keys.map(async (key) => (await deps.store.load(key))?.value as VersionState | undefined))
  const versions = states.flatMap((state) => (state ? [buildVersionView(state, image)] : []))
  versions.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
  return {
    image: image.name,
    targets: image.targetNames,
    platforms: image.platforms.map((p) => p.key),
    tags: Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)),
    versions,
    versionsOmitted: omitted,
  }
}

/** One version's row. */
export function buildVersionView(state: VersionState, image: ImageConfig): VersionView {
  const status = formatVersionStatus(state, image)
  const cells = image.platforms.map((p): PlatformCell => {
    const arrival = state.arrivals[p.key]
    if (!arrival) return { kind: 'missing' }
    if (arrival.status === 'refused') return { kind: 'refused', reason: arrival.reason ?? 'refused', at: arrival.receivedAt }
    if (arrival.status === 'pending') return { kind: 'pending', at: arrival.receivedAt }
    const digest = arrival.child?.manifest.digest ?? arrival.tagDigest
    return { kind: 'arrived', ...(digest ? { digest } : {}), at: arrival.receivedAt }
  })
  const { publication, failure } = state
  return {
    version: state.version,
    state: status.state,
    cells,
    ...(publication ? { published: { digest: publication.digest, tags: publication.tags, targets: publication.targets, partial: publication.partial, at: publication.at } } : {}),
    ...(failure ? { lastError: failure } : {}),
    updatedAt: state.updatedAt,
  }
}
