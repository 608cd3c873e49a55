/**
 * Work as data: what happens after a webhook is answered, or when a scheduler fires, is a JSON
 * work item that any runtime can queue, hand to another invocation or run at once (a bounded
 * queue on Node, an async Lambda invocation, a Durable Object alarm on Workers). Items are
 * validated wherever they come in: an invocation payload is input like any other.
 * `runWorkItem` (run-work-item.ts) is the one dispatcher.
 */
import * as z from 'zod/mini'
import { parseValue } from '../sources/parse-body.ts'
import { notifyEventSchema } from './notify-payloads.ts'

const name = z.string().check(z.minLength(1), z.maxLength(1024))

export const workItemSchema = z.discriminatedUnion('kind', [
  /** Resolve the pending arrivals of one version and publish it when complete. */
  z.strictObject({ kind: z.literal('process'), image: name, version: name }),
  /** Re-check an image's recent unfinished versions (other than `skip`) for lost webhooks. */
  z.strictObject({ kind: z.literal('recover'), image: name, skip: z.optional(z.array(name).check(z.maxLength(1000))) }),
  /**
   * A sweep. With `image`: that image's versions after the version key `after`, listing its tags
   * when `discover`. Without: a scheduled sweep (full when `full`, else when due by the sweep
   * record) fanned out per image, or with `after` the rest of a fan-out, after that image.
   */
  z.strictObject({ kind: z.literal('sweep'), image: z.optional(name), full: z.optional(z.boolean()), after: z.optional(name), discover: z.optional(z.boolean()) }),
  /** Send one notification (notify.ts) to `config.notifications[channel]`; `id` is its webhook-id. */
  z.strictObject({ kind: z.literal('notify'), channel: z.int().check(z.minimum(0), z.maximum(1000)), id: z.string().check(z.regex(/^msg_[0-9a-f]{32}$/)), event: notifyEventSchema }),
])

export type WorkItem = z.infer<typeof workItemSchema>

/** Validates a work item from outside (an invocation payload, a queue message); throws InvalidPayloadError. */
export function parseWorkItem(input: unknown): WorkItem {
  return parseValue(input, workItemSchema, 'work item')
}

/**
 * The dedupe key: an item waiting to run absorbs later items with the same key, since the one
 * that runs reads the newest state anyway (a burst of arrivals for one version costs one run).
 */
export function workItemKey(item: WorkItem): string {
  switch (item.kind) {
    case 'process':
      return `process:${item.image}/${item.version}`
    case 'recover':
      return `recover:${item.image}`
    case 'sweep':
      return `sweep:${item.image ?? '*'}:${item.full ?? 'due'}:${item.after ?? ''}`
    case 'notify':
      return `notify:${item.id}:${item.channel}`
  }
}

/**
 * The image an item works on, when it is about one: a runtime under overload may drop such an
 * item and catch up on the image from the store later (every arrival is durable before its
 * item exists). Sweeps are never dropped, nor notifications (their outcome is claimed once, before
 * the item exists, so a catch-up would not send them again).
 */
export function workItemScope(item: WorkItem): string | undefined {
  return item.kind === 'sweep' || item.kind === 'notify' ? undefined : item.image
}
