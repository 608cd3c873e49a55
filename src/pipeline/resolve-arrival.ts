/**
 * The per-arch work done as soon as an arch tag arrives: resolve the tag in the registry (a
 * payload is only a pointer), flatten a buildx-style index, verify the platform against the image
 * config, and copy the child (blobs, manifest, attestations) into every target repository.
 */
import type { ImageConfig, ImagePlatform } from '../config.ts'
import { pickImageAnnotations } from '../core/annotations.ts'
import type { Descriptor } from '../core/image-documents.ts'
import { parseImageConfig, parseImageIndex, parseImageManifest } from '../core/image-documents.ts'
import { renderSourceReference } from '../core/naming.ts'
import { isImageManifestMediaType, isIndexMediaType } from '../core/media-types.ts'
import { formatPlatform, isSamePlatform, type Platform } from '../core/platform.ts'
import { parseReference, type RepositoryName } from '../core/reference.ts'
import type { Arrival, Resolution } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../registry/errors.ts'
import type { Manifest } from '../registry/registry-client.ts'
import { checkPresence, copyChild } from './copy-child.ts'
import { pickHintedBlobs, prefetchHintedConfig, startEarlyWork, type ConfigPrefetch, type EarlyWork } from './early-work.ts'
import type { PhaseTimer } from './publish-report.ts'

// BuildKit's inline attestation annotations:
// https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
const REFERENCE_TYPE = 'vnd.docker.reference.type'
const REFERENCE_DIGEST = 'vnd.docker.reference.digest'

type ArrivalView = Pick<Arrival, 'source' | 'hintDigest' | 'hintBlobs' | 'previous' | 'attempts'>

/** Resolves one arrival of `version` and, when it is sound, copies it into every target (the copy's time goes to `timer`). */
export async function resolveArrival(deps: Deps, image: ImageConfig, expected: ImagePlatform, version: string, arrival: ArrivalView, timer?: PhaseTimer): Promise<Resolution> {
  const ref = parseReference(arrival.source)
  if (!ref?.tag) return { kind: 'refused', reason: `"${arrival.source}" is not a tagged reference` }
  const repo: RepositoryName = { registry: ref.registry, repository: ref.repository }
  // One token per registry for the whole publish: every arch's source repository and every target.
  deps.registry.declareAccess?.({ pull: [repo, ...sourceRepositories(image)], push: image.targets })
  // A first arrival of the tag reads its hinted config beside the tag; a retry or a redelivery reads only what it needs.
  const prefetch = arrival.attempts || arrival.previous ? undefined : prefetchHintedConfig(deps, repo, arrival.hintBlobs)
  try {
    return await resolveTagged(deps, image, expected, version, arrival, { repo, tag: ref.tag }, prefetch, timer)
  } finally {
    // Unused (another config, a refusal, a failure) it still ends before this call does.
    await prefetch?.bytes
  }
}

// The rest of resolveArrival, once the source tag is parsed and its hinted config may be on its way.
async function resolveTagged(deps: Deps, image: ImageConfig, expected: ImagePlatform, version: string, arrival: ArrivalView, source: { repo: RepositoryName; tag: string }, prefetch: ConfigPrefetch | undefined, timer?: PhaseTimer): Promise<Resolution> {
  const { repo, tag } = source
  // Only a first attempt can race the tag link; a retry reads the tag once.
  const top = await readTag(deps, repo, tag, arrival.attempts ? undefined : arrival.hintDigest)
  // The tag still names what was verified and copied last time (Docker Hub redeliveries carry no digest).
  if (arrival.previous?.tagDigest === top.digest) return { kind: 'ready', child: arrival.previous }
  // Hints are the sender's word: only blobs the verified manifest itself names are copied early.
  const early = startEarlyWork(deps, repo, image.targets, pickHintedBlobs(top, arrival.hintBlobs), prefetch)
  const picked = await pickChild(deps, repo, top, expected.platform)
  if (picked.kind === 'refused') return { ...picked, tagDigest: top.digest }
  const manifests = [picked.manifest, ...picked.attestations.map((a) => a.manifest)]
  const presence = checkPresence(deps, image, repo, manifests, early)
  try {
    const verified = await verifyPlatform(deps, repo, picked.manifest, expected, early)
    if (verified.kind === 'refused') return { ...verified, tagDigest: top.digest }
    const copyStarted = performance.now()
    await copyChild(deps, image, { repo, tag, arch: expected.arch, version }, manifests, early, presence)
    // Counted as copy, not resolve: the caller times the whole arrival as resolve.
    timer?.move(performance.now() - copyStarted, 'resolve', 'copy')
    const manifest = { mediaType: picked.manifest.mediaType, digest: picked.manifest.digest, size: picked.manifest.bytes.length }
    const child = {
      tagDigest: top.digest,
      manifest: { ...manifest, platform: verified.platform },
      attestations: picked.attestations.map((a) => a.descriptor),
      ...(Object.keys(verified.annotations).length > 0 ? { imageAnnotations: verified.annotations } : {}),
    }
    return { kind: 'ready', child }
  } finally {
    // Every HEAD has ended when this returns: the child refused, failed or copied (a copy awaits them all).
    await presence.settled()
  }
}

// Distribution notifies a push by tag before the tag link is written (seen with 2.8: a GET of the
// tag right after the event answers 404 MANIFEST_UNKNOWN, or the previous digest for a rebuild;
// registry/handlers/manifests.go puts the manifest, which fires the event, then tags it).
const TAG_LINK_WAITS_MS = [50, 200]

/**
 * Reads what `tag` names in the registry: the event's digest is only a hint, so a delivery naming a
 * tag that was never pushed, or a digest the tag does not name, cannot publish that content. While
 * the tag is absent or names another digest than `hint`, it is asked again a moment later; then
 * the tag wins (it moved on since the event), and an absent tag fails the attempt (retried later).
 */
async function readTag(deps: Deps, repo: RepositoryName, tag: string, hint: string | undefined): Promise<Manifest> {
  const first = await getOrAbsent(deps, repo, tag)
  if (first.manifest && (hint === undefined || first.manifest.digest === hint)) return first.manifest
  let named = first.manifest?.digest
  for (const ms of hint === undefined ? [] : TAG_LINK_WAITS_MS) {
    await new Promise((resolve) => setTimeout(resolve, ms))
    named = (await deps.registry.headManifest(repo, tag))?.digest
    if (named === hint) break
  }
  if (named === undefined) throw first.error ?? new RegistryError({ reason: 'http', method: 'HEAD', url: `${repo.registry}/${repo.repository}:${tag}`, detail: 'tag not found', status: 404 })
  return named === first.manifest?.digest ? first.manifest : deps.registry.getManifest(repo, named)
}

async function getOrAbsent(deps: Deps, repo: RepositoryName, tag: string): Promise<{ manifest?: Manifest; error?: unknown }> {
  try {
    return { manifest: await deps.registry.getManifest(repo, tag) }
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return { error }
    throw error
  }
}

function sourceRepositories(image: ImageConfig): RepositoryName[] {
  const names = new Map(image.platforms.map((p) => {
    const ref = renderSourceReference(image.from, p.arch, '0')
    return [`${ref.registry}/${ref.repository}`, { registry: ref.registry, repository: ref.repository }] as const
  }))
  return [...names.values()]
}

interface Attestation {
  descriptor: Descriptor
  manifest: Manifest
}
type Picked = { kind: 'picked'; manifest: Manifest; attestations: Attestation[] } | { kind: 'refused'; reason: string }

// A per-arch tag may itself be an index (buildx adds provenance by default, docker/buildx#1509):
// take the entry for the expected platform and the attestation manifests that describe it.
async function pickChild(deps: Deps, repo: RepositoryName, top: Manifest, expected: Platform): Promise<Picked> {
  if (isImageManifestMediaType(top.mediaType)) return { kind: 'picked', manifest: top, attestations: [] }
  if (!isIndexMediaType(top.mediaType)) return { kind: 'refused', reason: `unsupported media type ${top.mediaType}` }
  const index = parseImageIndex(top.bytes)
  if (!index.ok) return { kind: 'refused', reason: index.reason }
  const images = index.value.manifests.filter((d) => !d.annotations?.[REFERENCE_TYPE] && d.platform)
  const entry = images.find((d) => d.platform && isSamePlatform(d.platform, expected))
  if (!entry) {
    const found = images.map((d) => formatPlatform(d.platform as Platform)).join(', ') || 'none'
    return { kind: 'refused', reason: `index has no ${formatPlatform(expected)} entry (it has: ${found})` }
  }
  const describing = index.value.manifests.filter(
    (d) => d.annotations?.[REFERENCE_TYPE] === 'attestation-manifest' && d.annotations[REFERENCE_DIGEST] === entry.digest,
  )
  const [manifest, ...attestationManifests] = await Promise.all(
    [entry, ...describing].map((d) => deps.registry.getManifest(repo, d.digest)),
  )
  const attestations = describing.map((descriptor, i) => ({ descriptor, manifest: attestationManifests[i] as Manifest }))
  return { kind: 'picked', manifest: manifest as Manifest, attestations }
}

type Verified = { kind: 'verified'; platform: Platform; annotations: Record<string, string> } | { kind: 'refused'; reason: string }

// The name only claims a platform; the image config says what it is. A mislabeled arch must not
// be published under the wrong platform.
async function verifyPlatform(deps: Deps, repo: RepositoryName, manifest: Manifest, expected: ImagePlatform, early: EarlyWork): Promise<Verified> {
  const parsed = parseImageManifest(manifest.bytes)
  if (!parsed.ok) return { kind: 'refused', reason: parsed.reason }
  const configBytes = (await early.config(parsed.value.config.digest)) ?? (await deps.registry.getBlob(repo, parsed.value.config.digest))
  const config = parseImageConfig(configBytes)
  if (!config.ok) return { kind: 'refused', reason: config.reason }
  if (!isSamePlatform(config.value.platform, expected.platform)) {
    const reason = `named for ${expected.key} but its image config says ${formatPlatform(config.value.platform)}`
    return { kind: 'refused', reason }
  }
  const { osVersion, osFeatures } = config.value.platform
  const platform = { ...expected.platform, ...(osVersion ? { osVersion } : {}), ...(osFeatures ? { osFeatures } : {}) }
  return { kind: 'verified', platform, annotations: pickImageAnnotations(config.value.labels, parsed.value.annotations) }
}
