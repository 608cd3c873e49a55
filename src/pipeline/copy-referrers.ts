/**
 * Copies the referrers of each published child (signatures, SBOMs: manifests whose `subject` is
 * the child) from its source repository to every other target. Where the target registry does not
 * index referrers itself (no `OCI-Subject` answer), the referrers tag `sha256-<hex>` is kept up to
 * date, as the distribution spec's fallback says. Runs in the sweep, after publishing, so it also
 * picks up signatures made a little after the push. Cosign's tag-based signatures of each child
 * (`sha256-<hex>.sig`, `.att`, `.sbom`) are copied beside them (copy-signature-tags.ts).
 */
import type { ImageConfig } from '../config.ts'
import type { Descriptor } from '../core/image-documents.ts'
import { MEDIA_TYPES } from '../core/media-types.ts'
import { formatRepositoryName, parseReference, type RepositoryName } from '../core/reference.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { formatReferrersTag } from '../registry/referrers.ts'
import { copyManifest } from './copy-child.ts'
import { copySignatureTags } from './copy-signature-tags.ts'
import { NO_EARLY_WORK } from './early-work.ts'

/** Copies missing referrers and signature tags of every ready child of `state`; returns how many were copied. */
export async function copyReferrers(deps: Deps, image: ImageConfig, state: VersionState): Promise<number> {
  const jobs = Object.values(state.arrivals).flatMap((arrival) => {
    const ref = parseReference(arrival.source)
    const digest = arrival.child?.manifest.digest
    if (!ref || !digest) return []
    const source = { registry: ref.registry, repository: ref.repository }
    const targets = image.targets.filter((t) => formatRepositoryName(t) !== formatRepositoryName(source))
    return [...targets.map((target) => copyFor(deps, source, target, digest)), copySignatureTags(deps, source, targets, digest)]
  })
  // Every copy finishes before a failure is reported: one bad referrers tag must not cut the others short.
  const results = await Promise.allSettled(jobs)
  const failed = results.find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
  return results.reduce((sum, result) => sum + (result.status === 'fulfilled' ? result.value : 0), 0)
}

async function copyFor(deps: Deps, source: RepositoryName, target: RepositoryName, subject: string): Promise<number> {
  const wanted = await deps.registry.listReferrers(source, subject)
  if (wanted.length === 0) return 0
  const present = new Set((await deps.registry.listReferrers(target, subject)).map((d) => d.digest))
  const missing = wanted.filter((d) => !present.has(d.digest))
  const indexed = await Promise.all(missing.map((d) => copyOne(deps, source, target, d)))
  if (indexed.includes(false)) await updateReferrersTag(deps, target, subject, missing)
  if (missing.length > 0) deps.log.info('copied referrers', { target: formatRepositoryName(target), subject, count: missing.length })
  return missing.length
}

// Returns whether the registry indexed the referrer itself (it answered with OCI-Subject).
async function copyOne(deps: Deps, source: RepositoryName, target: RepositoryName, referrer: Descriptor): Promise<boolean> {
  const manifest = await deps.registry.getManifest(source, referrer.digest)
  const put = await copyManifest(deps, source, target, manifest, NO_EARLY_WORK)
  return put.subject !== undefined
}

// The fallback index lists every referrer once, sorted by digest, so concurrent sweeps converge.
async function updateReferrersTag(deps: Deps, target: RepositoryName, subject: string, added: Descriptor[]): Promise<void> {
  const existing = await deps.registry.listReferrers(target, subject)
  const byDigest = new Map([...existing, ...added].map((d) => [d.digest, d]))
  const manifests = [...byDigest.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1))
  const text = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests })
  await deps.registry.putManifest(target, formatReferrersTag(subject), { bytes: new TextEncoder().encode(text), mediaType: MEDIA_TYPES.ociIndex })
}

