/**
 * Reconciliation against the registry, the source of truth: HEAD each per-arch tag of a version
 * (a lost webhook, a rebuild nobody announced) and each tag we published (deleted or overwritten
 * by someone else). Cheap when nothing changed: HEAD requests and no writes.
 */
import type { ImageConfig } from '../config.ts'
import { isFailingVersion } from '../core/arrival-retry.ts'
import { markTagUnpushed, type ImageState } from '../core/image-state.ts'
import { renderSourceReference } from '../core/naming.ts'
import { formatReference, formatRepositoryName, type RepositoryName } from '../core/reference.ts'
import { markTargetMissing, recordArrival, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'

/**
 * Re-checks one version's arch tags (only the missing and refused ones unless `full`) and, when
 * `full`, its published tags; true when anything changed.
 */
export async function reconcileVersion(deps: Deps, image: ImageConfig, state: VersionState, options: { full: boolean }): Promise<boolean> {
  // A version whose every push failed to resolve costs only its due retries (arrival-retry.ts).
  if (isFailingVersion(state)) return false
  const platforms = image.platforms.filter((p) => options.full || state.arrivals[p.key]?.status !== 'ready')
  const arches = await Promise.all(platforms.map((p) => reconcileArch(deps, image, state, p.key, p.arch)))
  const targets = options.full ? await reconcileTargets(deps, image, state) : []
  return [...arches, ...targets].includes(true)
}

async function reconcileArch(deps: Deps, image: ImageConfig, state: VersionState, platform: string, arch: string): Promise<boolean> {
  const arrival = state.arrivals[platform]
  if (arrival?.status === 'pending') return false
  const ref = renderSourceReference(image.from, arch, state.version)
  const head = await headOrNothing(deps, ref, ref.tag)
  const source = formatReference(ref)
  const same = arrival?.source === source
  // A tag that disappeared is a changed arrival too: resolved again, it fails and ends unresolvable.
  const gone = head === null && same && arrival.status !== 'unresolvable'
  if (!gone && (!head || (same && arrival.tagDigest === head))) return false
  deps.log.info(gone ? 'reconcile found an arch tag gone from the registry' : 'reconcile found an arch tag the ledger did not have', { image: image.name, version: state.version, source, digest: head })
  const now = deps.now().toISOString()
  const result = await updateState<VersionState>(deps.store, versionKey(image.name, state.version), (current) =>
    current && recordArrival(current, { platform, source, ...(head ? { hintDigest: head } : {}), receivedAt: now }),
  )
  return result.changed
}

async function reconcileTargets(deps: Deps, image: ImageConfig, state: VersionState): Promise<boolean[]> {
  const publication = state.publication
  if (!publication) return []
  return Promise.all(
    image.targets.filter((t) => publication.targets.includes(formatRepositoryName(t))).map(async (target) => {
      if ((await headOrNothing(deps, target, state.version)) === publication.digest) return false
      const now = deps.now().toISOString()
      const result = await updateState<VersionState>(deps.store, versionKey(image.name, state.version), (current) => current && markTargetMissing(current, formatRepositoryName(target), now))
      return result.changed
    }),
  )
}

/** Re-checks every moving tag in every target it was pushed to; marks those that drifted as unpushed. */
export async function reconcileMovingTags(deps: Deps, image: ImageConfig): Promise<void> {
  const state = (await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined
  const checks = Object.entries(state?.tags ?? {}).flatMap(([tag, pointer]) =>
    image.targets.filter((t) => pointer.pushed.includes(formatRepositoryName(t))).map(async (target) => {
      if ((await headOrNothing(deps, target, tag)) === pointer.digest) return
      await updateState<ImageState>(deps.store, imageKey(image.name), (current) => current && markTagUnpushed(current, tag, formatRepositoryName(target)))
    }),
  )
  await Promise.all(checks)
}

// The digest, null when the registry says the tag does not exist, undefined when it could not say
// (a registry error is not a change: the next sweep asks again).
async function headOrNothing(deps: Deps, repo: RepositoryName, reference: string): Promise<string | null | undefined> {
  try {
    return (await deps.registry.headManifest(repo, reference))?.digest ?? null
  } catch (error) {
    deps.log.warn('reconcile could not check a tag', { repository: formatRepositoryName(repo), reference, error })
    return undefined
  }
}
