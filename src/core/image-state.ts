/**
 * The ledger of one image's moving tags (`latest`, floating `1` / `1.2`, `edge`): which version and
 * digest each should name, and the targets it has been pushed to. Pure transitions; the pipeline
 * and the sweep push whatever is not pushed yet.
 */
import { planMovingTags, type TagPointer, type TagPolicy } from './tag-policy.ts'

/** A moving tag's desired target and the target repositories that already have it. */
export interface MovingTag extends TagPointer {
  pushed: string[]
}

export interface ImageState {
  image: string
  tags: Record<string, MovingTag>
}

/** Creates the empty ledger for an image. */
export function createImageState(image: string): ImageState {
  return { image, tags: {} }
}

/** Points the moving tags a published version earns at it; undefined when nothing changes. */
export function proposeMovingTags(state: ImageState, policy: TagPolicy, published: TagPointer): ImageState | undefined {
  const moving = planMovingTags(policy, published, state.tags)
  if (moving.length === 0) return undefined
  const updates = Object.fromEntries(moving.map((tag) => [tag, { ...published, pushed: [] }]))
  return { ...state, tags: { ...state.tags, ...updates } }
}

/** Records that `target` has `tag` at `digest`; undefined when the tag moved meanwhile or already was. */
export function markTagPushed(state: ImageState, tag: string, digest: string, target: string): ImageState | undefined {
  const current = state.tags[tag]
  if (!current || current.digest !== digest || current.pushed.includes(target)) return undefined
  return { ...state, tags: { ...state.tags, [tag]: { ...current, pushed: [...current.pushed, target] } } }
}

/** Forgets that `target` has `tag` (the registry says otherwise); undefined when it was not recorded. */
export function markTagUnpushed(state: ImageState, tag: string, target: string): ImageState | undefined {
  const current = state.tags[tag]
  if (!current?.pushed.includes(target)) return undefined
  return { ...state, tags: { ...state.tags, [tag]: { ...current, pushed: current.pushed.filter((t) => t !== target) } } }
}

/** Lists the tags that some of `targets` do not have yet, with those targets. */
export function unpushedTags(state: ImageState, targets: readonly string[]): { tag: string; pointer: MovingTag; targets: string[] }[] {
  return Object.entries(state.tags).flatMap(([tag, pointer]) => {
    const missing = targets.filter((target) => !pointer.pushed.includes(target))
    return missing.length > 0 ? [{ tag, pointer, targets: missing }] : []
  })
}
