/**
 * catchUp: runs from the store the work a full deferred-work queue dropped for some images. It
 * processes every version of theirs whose arrivals are still unresolved or that is ready to
 * publish, and pushes unpushed moving tags; unlike the sweep it asks the registry nothing it was
 * not going to ask anyway.
 */
import type { ImageConfig } from '../config.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { listKeys, versionPrefix } from '../state/store.ts'
import { processVersion } from './process-version.ts'
import { pushMovingTags } from './push-moving-tags.ts'
import { runLimited } from './run-limited.ts'
import { isUnfinished } from './sweep.ts'

const CONCURRENCY = 32

/** Processes every unfinished version of the named images (default: all); returns how many it processed. */
export async function catchUp(deps: Deps, imageNames?: readonly string[]): Promise<number> {
  let processed = 0
  const images = imageNames ? imageNames.flatMap((name) => deps.catalog.image(name) ?? []) : deps.config.images
  for (const image of images) {
    try {
      processed += await catchUpImage(deps, image)
    } catch (error) {
      deps.log.error('catch-up failed for image; the sweep will retry', { image: image.name, error })
    }
  }
  return processed
}

async function catchUpImage(deps: Deps, image: ImageConfig): Promise<number> {
  const unfinished: string[] = []
  for (const key of await listKeys(deps.store, versionPrefix(image.name))) {
    const state = (await deps.store.load(key))?.value as VersionState | undefined
    if (state && isUnfinished(image, state, deps.now().toISOString())) unfinished.push(state.version)
  }
  // As many at once as the deferred work it replaces (their saves then share commits).
  await runLimited(unfinished, CONCURRENCY, async (version) => void (await processVersion(deps, image, version)))
  // Pushes only what the ledger says some target lacks (one load when nothing does).
  await pushMovingTags(deps, image)
  return unfinished.length
}
