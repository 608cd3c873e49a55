/**
 * Pushes moving tags (`latest`) to whatever the image ledger says they should name. After each
 * PUT the ledger is read again: if another worker moved the tag meanwhile, the newer target is
 * pushed too, so a slow, older PUT can never leave the tag pointing backwards.
 */
import type { ImageConfig } from '../config.ts'
import { markTagPushed, type ImageState, type MovingTag } from '../core/image-state.ts'
import type { BuiltIndex } from '../core/index-manifest.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'

const MAX_ROUNDS = 5

/**
 * Pushes every moving tag of `image` whose target is not yet in the registry. `known` is an index
 * just built (its publication may not be recorded yet); other targets come from the ledger.
 */
export async function pushMovingTags(deps: Deps, image: ImageConfig, known?: BuiltIndex): Promise<void> {
  const pushed = new Map<string, string>()
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const state = (await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined
    const todo = Object.entries(state?.tags ?? {}).filter(([tag, pointer]) => needsPush(pointer, pushed.get(tag)))
    if (todo.length === 0) return
    for (const [tag, pointer] of todo) {
      if (await pushTag(deps, image, tag, pointer, known)) pushed.set(tag, pointer.digest)
    }
  }
}

// Push when the ledger says so, or when this worker pushed something else under the tag and the
// ledger has moved on meanwhile (our PUT may have landed after the newer one).
function needsPush(pointer: MovingTag, pushedByUs: string | undefined): boolean {
  if (pushedByUs === undefined) return !pointer.pushed
  return pushedByUs !== pointer.digest
}

async function pushTag(deps: Deps, image: ImageConfig, tag: string, pointer: MovingTag, known?: BuiltIndex): Promise<boolean> {
  const manifest = known?.digest === pointer.digest ? known : await findPublished(deps, image, pointer)
  if (!manifest) return false
  await deps.registry.putManifest(image.target, tag, manifest)
  await updateState<ImageState>(deps.store, imageKey(image.name), (current) => current && markTagPushed(current, tag, pointer.digest))
  deps.log.info('moved tag', { image: image.name, tag, version: pointer.version, digest: pointer.digest })
  return true
}

async function findPublished(deps: Deps, image: ImageConfig, pointer: MovingTag): Promise<{ bytes: Uint8Array; mediaType: string } | undefined> {
  const version = (await deps.store.load(versionKey(image.name, pointer.version)))?.value as VersionState | undefined
  const publication = version?.publication
  if (!publication || publication.digest !== pointer.digest) return undefined
  return { bytes: new TextEncoder().encode(publication.manifest), mediaType: publication.mediaType }
}
