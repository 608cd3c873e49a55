/**
 * Builds the bytes of an OCI image index or Docker manifest list from resolved children.
 * Pure and deterministic: the same children and options always give the same bytes and digest,
 * so redeliveries and races publish identical content.
 */
import { computeDigest } from './digest.ts'
import type { Descriptor } from './image-documents.ts'
import { MEDIA_TYPES } from './media-types.ts'
import type { Platform } from './platform.ts'

/** One platform's entry: its image manifest (with platform) and the attestations that describe it. */
export interface IndexChild {
  manifest: Descriptor & { platform: Platform }
  attestations: Descriptor[]
}

export type IndexMediaTypeChoice = 'auto' | 'oci' | 'docker'

/** The index exactly as it will be PUT. */
export interface BuiltIndex {
  mediaType: string
  text: string
  bytes: Uint8Array
  digest: string
}

// BuildKit marks inline attestations with a platform of unknown/unknown:
// https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
const UNKNOWN_PLATFORM: Platform = { os: 'unknown', architecture: 'unknown' }

/** Picks the list type: Docker when every entry is a Docker manifest (as imagetools does), else OCI. */
export function chooseIndexMediaType(entries: Descriptor[], choice: IndexMediaTypeChoice): string {
  if (choice === 'oci') return MEDIA_TYPES.ociIndex
  if (choice === 'docker') return MEDIA_TYPES.dockerList
  const allDocker = entries.every((entry) => entry.mediaType === MEDIA_TYPES.dockerManifest)
  return allDocker ? MEDIA_TYPES.dockerList : MEDIA_TYPES.ociIndex
}

/** Builds the index: image entries in the given order, then their attestations in the same order. */
export async function buildIndex(
  children: IndexChild[],
  options: { mediaType: IndexMediaTypeChoice; annotations?: Record<string, string> },
): Promise<BuiltIndex> {
  const images = children.map((child) => formatDescriptor(child.manifest, child.manifest.platform))
  const attestations = children.flatMap((child) => child.attestations.map((a) => formatDescriptor(a, UNKNOWN_PLATFORM)))
  const mediaType = chooseIndexMediaType(
    children.flatMap((child) => [child.manifest, ...child.attestations]),
    options.mediaType,
  )
  const annotations = mediaType === MEDIA_TYPES.ociIndex ? sortRecord(options.annotations) : undefined
  const document = { schemaVersion: 2, mediaType, manifests: [...images, ...attestations], ...(annotations ? { annotations } : {}) }
  const text = JSON.stringify(document)
  const bytes = new TextEncoder().encode(text)
  return { mediaType, text, bytes, digest: await computeDigest(bytes) }
}

function formatDescriptor(descriptor: Descriptor, platform: Platform): Record<string, unknown> {
  const annotations = sortRecord(descriptor.annotations)
  return {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {}),
    ...(annotations ? { annotations } : {}),
    platform: formatPlatformJson(platform),
  }
}

/** Formats a platform with the spec's field names (`os.version`, `os.features`). */
export function formatPlatformJson(platform: Platform): Record<string, unknown> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.osVersion ? { 'os.version': platform.osVersion } : {}),
    ...(platform.osFeatures?.length ? { 'os.features': [...platform.osFeatures] } : {}),
    ...(platform.variant ? { variant: platform.variant } : {}),
  }
}

function sortRecord(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!record || Object.keys(record).length === 0) return undefined
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
