/**
 * Copies a verified child into every target repository: blobs first (mount, or streaming copy
 * across registries), then the manifests, then the optional per-arch child tag that protects it
 * from registry clean-up of untagged manifests.
 */
import type { ImageConfig } from '../config.ts'
import { parseImageManifest } from '../core/image-documents.ts'
import { formatRepositoryName, type RepositoryName } from '../core/reference.ts'
import { renderTagTemplate } from '../core/tag-policy.ts'
import type { Deps } from '../deps.ts'
import { InvalidManifestError } from '../errors.ts'
import type { Manifest, PutManifestResult } from '../registry/registry-client.ts'
import type { EarlyWork } from './early-work.ts'

/** Where the child came from: its repository, tag, `{arch}` name and the version it belongs to. */
export interface ChildOrigin {
  repo: RepositoryName
  tag: string
  arch: string
  version: string
}

/** Whether each manifest to copy is already in each target: HEADs started ahead of the copy. */
export interface PresenceChecks {
  present(target: RepositoryName, digest: string): Promise<boolean>
  /** Resolves once every HEAD has settled (for a caller that will not copy after all). */
  settled(): Promise<void>
}

/**
 * Starts one HEAD by digest per manifest and target other than `from`: a child already in the
 * target (the same arch image under another version, a retry after a crash) costs that HEAD
 * instead of reading its config and mounting its blobs again. Started as soon as the manifests
 * are known, so the HEADs run beside the platform check instead of after it. A manifest whose
 * blobs are all being copied early into that target gets no HEAD: it could only save the PUT,
 * which it would hold up by a round trip.
 */
export function checkPresence(deps: Deps, image: ImageConfig, from: RepositoryName, manifests: Manifest[], early: EarlyWork): PresenceChecks {
  const heads = new Map<string, Promise<boolean>>()
  const source = formatRepositoryName(from)
  // Parsed once, and only when some target is another repository (never for suffix tags).
  let blobs: (string[] | undefined)[] | undefined
  for (const target of image.targets) {
    const name = formatRepositoryName(target)
    if (name === source) continue
    blobs ??= manifests.map(listBlobs)
    for (const [i, manifest] of manifests.entries()) {
      if (blobs[i]?.every((digest) => early.copying(target, digest))) continue
      heads.set(`${name}@${manifest.digest}`, deps.registry.headManifest(target, manifest.digest).then((found) => found?.digest === manifest.digest))
    }
  }
  return {
    present: async (target, digest) => (await heads.get(`${formatRepositoryName(target)}@${digest}`)) ?? false,
    settled: async () => void (await Promise.allSettled(heads.values())),
  }
}

// The blob digests of an image manifest (config first); undefined for anything else.
function listBlobs(manifest: Manifest): string[] | undefined {
  const parsed = parseImageManifest(manifest.bytes)
  return parsed.ok ? [parsed.value.config, ...parsed.value.layers].map((blob) => blob.digest) : undefined
}

/** Copies `manifests` (the image first, then its attestations) into each target of `image` where `presence` found them missing. */
export async function copyChild(deps: Deps, image: ImageConfig, origin: ChildOrigin, manifests: Manifest[], early: EarlyWork, presence: PresenceChecks): Promise<void> {
  const childTag = image.childTags ? renderTagTemplate(image.childTags.replaceAll('{arch}', origin.arch), origin.version) : undefined
  await Promise.all(
    image.targets.map(async (target) => {
      const same = formatRepositoryName(target) === formatRepositoryName(origin.repo)
      if (!same) await Promise.all(manifests.map(async (m) => (await presence.present(target, m.digest)) || copyManifest(deps, origin.repo, target, m, early)))
      const [child] = manifests
      if (child && childTag && !(same && childTag === origin.tag)) await deps.registry.putManifest(target, childTag, child)
    }),
  )
}

/**
 * Copies one manifest into `to`, under `reference` (its digest unless a tag is given). Registries may reject a manifest
 * whose blobs are not in the same repository (MANIFEST_BLOB_UNKNOWN, distribution-spec "Pushing Manifests"): blobs first.
 */
export async function copyManifest(deps: Deps, from: RepositoryName, to: RepositoryName, manifest: Manifest, early: EarlyWork, reference = manifest.digest): Promise<PutManifestResult> {
  const parsed = parseImageManifest(manifest.bytes)
  if (!parsed.ok) throw new InvalidManifestError(`cannot copy ${manifest.digest}: ${parsed.reason}`)
  const blobs = [parsed.value.config, ...parsed.value.layers]
  await Promise.all(blobs.map(async (blob) => (await early.copied(to, blob.digest)) || deps.registry.copyBlob(from, to, blob)))
  return deps.registry.putManifest(to, reference, manifest)
}
