/**
 * Publishing a version: build the deterministic index (annotations included), claim the moving
 * tags it earns in the image ledger (not for a partial publish), then PUT the version's own tags
 * to every target and push the moving tags, concurrently (the same bytes under several tags).
 */
import type { ImageConfig } from '../config.ts'
import { buildIndexAnnotations } from '../core/annotations.ts'
import { createImageState, proposeMovingTags, type ImageState } from '../core/image-state.ts'
import { buildIndex, type BuiltIndex } from '../core/index-manifest.ts'
import { formatRepositoryName, type RepositoryName } from '../core/reference.ts'
import { buildVersionTags } from '../core/tag-policy.ts'
import { childDigests, markPublished, type ResolvedChild, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import { pushMovingTags } from './push-moving-tags.ts'

/** Builds the index a set of children gives for this image and version. */
export function buildVersionIndex(image: ImageConfig, version: string, children: ResolvedChild[]): Promise<BuiltIndex> {
  const annotations = buildIndexAnnotations(children.map((c) => c.imageAnnotations ?? {}), image.annotations, version)
  return buildIndex(children, { mediaType: image.indexMediaType, annotations })
}

/** Publishes `children` as `image:version` (partially when the deadline said so) and moves tags. */
export async function publishVersion(deps: Deps, image: ImageConfig, state: VersionState, children: ResolvedChild[], partial: boolean): Promise<void> {
  const index = await buildVersionIndex(image, state.version, children)
  if (!partial) await claimMovingTags(deps, image, state.version, index.digest)
  const done = state.publication?.digest === index.digest ? state.publication.targets : []
  const pending = image.targets.filter((target) => !done.includes(formatRepositoryName(target)))
  const work = [pushMovingTags(deps, image, index), ...pending.map((target) => putVersion(deps, image, state, { index, children, partial }, target))]
  const failed = (await Promise.allSettled(work)).find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
}

interface Built {
  index: BuiltIndex
  children: ResolvedChild[]
  partial: boolean
}

async function putVersion(deps: Deps, image: ImageConfig, state: VersionState, built: Built, target: RepositoryName): Promise<void> {
  // A first attempt writes straight away (the tags are new); a retry or republish HEADs first so a
  // redelivery costs one HEAD and an immutable-tag registry is not asked to rewrite a tag.
  const headFirst = state.publication !== undefined || state.failure !== undefined
  const tags = buildVersionTags(image.tags, state.version)
  await Promise.all(tags.map((tag) => deps.registry.putManifest(target, tag, built.index, { headFirst })))
  const { index, children, partial } = built
  const publication = { digest: index.digest, mediaType: index.mediaType, manifest: index.text, children: childDigests(children), tags, partial, at: deps.now().toISOString() }
  // Lost in a power cut, the publication is redone by the next sweep: the same index PUT again,
  // without a HEAD first (an immutable-tag registry refuses it once; the retry HEADs and skips).
  await updateState<VersionState>(
    deps.store,
    versionKey(image.name, state.version),
    (current) => (current ? markPublished(current, publication, formatRepositoryName(target)) : undefined),
    { save: { durable: false } },
  )
  deps.log.info(partial ? 'published version partially' : 'published version', { image: image.name, target: formatRepositoryName(target), version: state.version, digest: index.digest, mediaType: index.mediaType })
}

async function claimMovingTags(deps: Deps, image: ImageConfig, version: string, digest: string): Promise<void> {
  await updateState<ImageState>(deps.store, imageKey(image.name), (current) =>
    proposeMovingTags(current ?? createImageState(image.name), image.tags, { version, digest }),
  )
}
