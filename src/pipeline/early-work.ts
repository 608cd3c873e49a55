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
  /** Whether a copy of `digest` into `target` was started early (its outcome is `copied`'s). */
  copying(target: RepositoryName, digest: string): boolean
}

/** No early work at all. */
export const NO_EARLY_WORK: EarlyWork = { config: async () => undefined, copied: async () => false, copying: () => false }

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

/** A config blob fetch started from a hint before the manifest was read (see prefetchHintedConfig). */
export interface ConfigPrefetch {
  digest: string
  /** Never rejects: a failed fetch is undefined, and the config is read again the normal way. */
  bytes: Promise<Uint8Array | undefined>
}

/**
 * Starts reading the config blob the source hinted, beside the read of the tag: one GET from the
 * source repository, capped like every blob read, and nothing written anywhere. Its bytes are used
 * only when the verified manifest names that digest (startEarlyWork), so an image whose target is
 * its own repository no longer waits for the tag's round trip before its config's.
 */
export function prefetchHintedConfig(deps: Deps, source: RepositoryName, hints: readonly Descriptor[] | undefined): ConfigPrefetch | undefined {
  const config = findHintedConfig(hints)
  if (!config) return undefined
  return { digest: config.digest, bytes: deps.registry.getBlob(source, config.digest).catch(() => undefined) }
}

/** Starts fetching the hinted config (unless `prefetched` has it) and copying the hinted blobs into every other target. */
export function startEarlyWork(deps: Deps, source: RepositoryName, targets: RepositoryName[], hints: Descriptor[] | undefined, prefetched?: ConfigPrefetch): EarlyWork {
  if (!hints?.length) return NO_EARLY_WORK
  const config = findHintedConfig(hints)
  const configBytes = !config ? undefined : prefetched?.digest === config.digest ? prefetched.bytes : deps.registry.getBlob(source, config.digest).catch(() => undefined)
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
    copying: (target, digest) => copies.has(`${formatRepositoryName(target)}@${digest}`),
  }
}

// The config blob among the hinted blobs, if the sender listed one.
function findHintedConfig(hints: readonly Descriptor[] | undefined): Descriptor | undefined {
  return hints?.find((blob) => CONFIG_TYPES.includes(blob.mediaType))
}
