/**
 * Work started from a source's hints before the manifest is read: fetching the config and copying
 * the blobs an event said the manifest references (distribution's `includereferences`). Pure
 * speed-up: every result is keyed by digest and used only if the manifest names that digest; a
 * failure here just means the work is done again the normal way.
 */
import { parseImageManifest, type Descriptor } from '../core/image-documents.ts'
import { isImageManifestMediaType, MEDIA_TYPES } from '../core/media-types.ts'
import { formatRepositoryName, type RepositoryName } from '../core/reference.ts'
import type { Deps } from '../deps.ts'
import type { BlobCopyOutcome, Manifest } from '../registry/registry-client.ts'

const CONFIG_TYPES: readonly string[] = [MEDIA_TYPES.dockerConfig, MEDIA_TYPES.ociConfig]

/** Lookups of early results by digest; undefined / false when there is none to use. */
export interface EarlyWork {
  config(digest: string): Promise<Uint8Array | undefined>
  copied(target: RepositoryName, digest: string): Promise<BlobCopyOutcome | false>
}

/** No early work at all. */
export const NO_EARLY_WORK: EarlyWork = { config: async () => undefined, copied: async () => false }

/**
 * The blobs of `manifest` (verified: fetched by digest or hashed) that the source also hinted, as
 * the manifest describes them; none for an index. A delivery listing a thousand references no
 * longer starts a thousand copies per target before anything was checked.
 */
export function pickHintedBlobs(manifest: Manifest, hints: readonly Descriptor[] | undefined): Descriptor[] {
  if (!hints?.length || !isImageManifestMediaType(manifest.mediaType)) return []
  const parsed = parseImageManifest(manifest.bytes)
  if (!parsed.ok) return []
  const hinted = new Set(hints.map((blob) => blob.digest))
  return [parsed.value.config, ...parsed.value.layers].filter((blob) => hinted.has(blob.digest))
}

/** Starts fetching the hinted config and copying the hinted blobs into every other target. */
export function startEarlyWork(deps: Deps, source: RepositoryName, targets: RepositoryName[], hints: Descriptor[] | undefined): EarlyWork {
  if (!hints?.length) return NO_EARLY_WORK
  const config = hints.find((blob) => CONFIG_TYPES.includes(blob.mediaType))
  const configBytes = config ? deps.registry.getBlob(source, config.digest).catch(() => undefined) : undefined
  const copies = new Map<string, Promise<BlobCopyOutcome | false>>()
  for (const target of targets) {
    if (formatRepositoryName(source) === formatRepositoryName(target)) continue
    for (const blob of hints) {
      copies.set(`${formatRepositoryName(target)}@${blob.digest}`, deps.registry.copyBlob(source, target, blob).catch(() => false as const))
    }
  }
  return {
    config: async (digest) => (config?.digest === digest ? configBytes : undefined),
    copied: async (target, digest) => (await copies.get(`${formatRepositoryName(target)}@${digest}`)) ?? false,
  }
}
