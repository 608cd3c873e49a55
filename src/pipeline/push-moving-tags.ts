/**
 * Pushes moving tags (`latest`, floating, `edge`) to whatever the image ledger says they should
 * name, in every target. After each round the ledger is read again: if another worker moved a tag
 * meanwhile, the newer target is pushed too, so a slow, older PUT can never leave a tag behind.
 */
import type { ImageConfig } from '../config.ts'
import { markTagPushed, unpushedTags, type ImageState, type MovingTag } from '../core/image-state.ts'
import type { BuiltIndex } from '../core/index-manifest.ts'
import { formatRepositoryName, type RepositoryName } from '../core/reference.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'

const MAX_ROUNDS = 5

/**
 * Pushes every moving tag of `image` that some target does not have yet. `known` is an index just
 * built (its publication may not be recorded yet); other targets come from the version ledgers.
 */
export async function pushMovingTags(deps: Deps, image: ImageConfig, known?: BuiltIndex): Promise<void> {
  const names = image.targetNames
  const pushed = new Map<string, string>()
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const state = (await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined
    const todo = [...unpushedTags(state ?? { image: image.name, tags: {} }, names), ...overtaken(state, names, pushed)]
    if (todo.length === 0) return
    const jobs = todo.flatMap(({ tag, pointer, targets }) => targets.map((name) => ({ tag, pointer, target: image.targets[names.indexOf(name)] as RepositoryName })))
    await Promise.all(jobs.map(async (job) => {
      if (await pushTag(deps, image, job.tag, job.pointer, job.target, known)) pushed.set(`${job.tag}@${formatRepositoryName(job.target)}`, job.pointer.digest)
    }))
  }
}

// Tags this worker pushed whose ledger entry has moved on meanwhile, although marked pushed by
// someone else: our PUT may have landed after theirs, so push the newer target again.
function overtaken(state: ImageState | undefined, names: string[], pushed: Map<string, string>) {
  return Object.entries(state?.tags ?? {}).flatMap(([tag, pointer]) => {
    const targets = names.filter((name) => pointer.pushed.includes(name) && (pushed.get(`${tag}@${name}`) ?? pointer.digest) !== pointer.digest)
    return targets.length > 0 ? [{ tag, pointer, targets }] : []
  })
}

async function pushTag(deps: Deps, image: ImageConfig, tag: string, pointer: MovingTag, target: RepositoryName, known?: BuiltIndex): Promise<boolean> {
  const manifest = known?.digest === pointer.digest ? known : await findPublished(deps, image, pointer)
  if (!manifest) return false
  await deps.registry.putManifest(target, tag, manifest)
  const name = formatRepositoryName(target)
  // The claim (durable) already says where the tag goes; lost, this mark only makes the sweep push it again.
  await updateState<ImageState>(deps.store, imageKey(image.name), (current) => current && markTagPushed(current, tag, pointer.digest, name), { save: { durable: false } })
  deps.log.info('moved tag', { image: image.name, target: name, tag, version: pointer.version, digest: pointer.digest })
  return true
}

async function findPublished(deps: Deps, image: ImageConfig, pointer: MovingTag): Promise<{ bytes: Uint8Array; mediaType: string } | undefined> {
  const version = (await deps.store.load(versionKey(image.name, pointer.version)))?.value as VersionState | undefined
  const publication = version?.publication
  if (!publication || publication.digest !== pointer.digest) return undefined
  return { bytes: new TextEncoder().encode(publication.manifest), mediaType: publication.mediaType }
}
