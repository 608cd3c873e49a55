/**
 * The ledger of one image's moving tags (`latest`): which version and digest each should name,
 * and whether that has been pushed yet. Pure transitions; the sweep pushes whatever is not.
 */
import { decideLatest, type TagPointer } from './tag-policy.ts'

/** A moving tag's desired target; `pushed` turns true once the registry acknowledged it. */
export interface MovingTag extends TagPointer {
  pushed: boolean
}

export interface ImageState {
  image: string
  tags: Record<string, MovingTag>
}

/** Creates the empty ledger for an image. */
export function createImageState(image: string): ImageState {
  return { image, tags: {} }
}

/**
 * Points `latest` at a newly published version when the tag policy allows it.
 * Returns undefined when nothing changes.
 */
export function proposeLatest(state: ImageState, published: TagPointer): ImageState | undefined {
  const current = state.tags.latest
  if (current?.version === published.version && current.digest === published.digest) return undefined
  if (!decideLatest(published.version, current).move) return undefined
  return { ...state, tags: { ...state.tags, latest: { ...published, pushed: false } } }
}

/** Marks a tag pushed if it still names `digest`; undefined when it changed meanwhile or already was. */
export function markTagPushed(state: ImageState, tag: string, digest: string): ImageState | undefined {
  const current = state.tags[tag]
  if (!current || current.digest !== digest || current.pushed) return undefined
  return { ...state, tags: { ...state.tags, [tag]: { ...current, pushed: true } } }
}

/** Lists the tags whose desired target has not been pushed yet. */
export function unpushedTags(state: ImageState): [string, MovingTag][] {
  return Object.entries(state.tags).filter(([, pointer]) => !pointer.pushed)
}
