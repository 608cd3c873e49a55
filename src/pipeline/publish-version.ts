/**
 * Publishing a complete version: build the deterministic index, claim the moving tags it earns
 * (`latest`) in the image ledger, then PUT the version tag and those tags concurrently (the same
 * bytes under several tags) and record the publication.
 */
import type { ImageConfig } from '../config.ts'
import { createImageState, proposeLatest, type ImageState } from '../core/image-state.ts'
import { buildIndex, type BuiltIndex } from '../core/index-manifest.ts'
import { childDigests, markPublished, type ResolvedChild, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import { pushMovingTags } from './push-moving-tags.ts'

/** Publishes `children` as `image:version` and moves the image's moving tags. */
export async function publishVersion(deps: Deps, image: ImageConfig, state: VersionState, children: ResolvedChild[]): Promise<void> {
  const index = await buildIndex(children, { mediaType: image.indexMediaType })
  if (image.latest) await proposeMovingTags(deps, image, state.version, index.digest)
  const work = [pushMovingTags(deps, image, index)]
  if (state.publication?.digest !== index.digest) work.push(putVersion(deps, image, state, index, children))
  const failed = (await Promise.allSettled(work)).find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
}

async function putVersion(deps: Deps, image: ImageConfig, state: VersionState, index: BuiltIndex, children: ResolvedChild[]): Promise<void> {
  // A first attempt writes straight away (the tag is new); a retry or republish HEADs first so a
  // redelivery costs one HEAD and an immutable-tag registry is not asked to rewrite the tag.
  const headFirst = state.publication !== undefined || state.failure !== undefined
  await deps.registry.putManifest(image.target, state.version, index, { headFirst })
  const publication = {
    digest: index.digest,
    mediaType: index.mediaType,
    manifest: index.text,
    children: childDigests(children),
    tags: [state.version],
    at: deps.now().toISOString(),
  }
  await updateState<VersionState>(deps.store, versionKey(image.name, state.version), (current) =>
    current ? markPublished(current, publication) : undefined,
  )
  deps.log.info('published version', { image: image.name, version: state.version, digest: index.digest, mediaType: index.mediaType })
}

async function proposeMovingTags(deps: Deps, image: ImageConfig, version: string, digest: string): Promise<void> {
  await updateState<ImageState>(deps.store, imageKey(image.name), (current) =>
    proposeLatest(current ?? createImageState(image.name), { version, digest }),
  )
}
