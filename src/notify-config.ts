/**
 * Configuration of notifications: a list of channels, each a Slack-compatible incoming webhook or
 * a generic JSON webhook signed the Standard Webhooks way, for every image or the images named,
 * on the events chosen (all by default).
 */
import * as z from 'zod/mini'
import type { Secret } from './secret.ts'
import { secretInputSchema as secretInput } from './secret-input.ts'

export const NOTIFY_EVENTS = ['published', 'partial', 'stale', 'refused', 'failing'] as const
export type NotifyEventType = (typeof NOTIFY_EVENTS)[number]

/** One resolved channel. `url` is a Secret: a Slack webhook URL is itself the credential. */
export type NotifyChannel =
  | { type: 'slack'; url: Secret; images?: string[]; events: NotifyEventType[] }
  | { type: 'webhook'; url: Secret; secret: Secret; images?: string[]; events: NotifyEventType[] }

const common = {
  url: secretInput,
  images: z.optional(z.array(z.string()).check(z.minLength(1))),
  events: z._default(z.array(z.enum(NOTIFY_EVENTS)).check(z.minLength(1)), [...NOTIFY_EVENTS]),
}

export const notificationsSchema = z.array(
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('slack'), ...common }),
    z.strictObject({ type: z.literal('webhook'), ...common, secret: secretInput }),
  ]),
)

type Resolve = (value: z.infer<typeof secretInput>, path: string) => Secret | undefined

/** Resolves the channels' secrets; `images` must name configured targets. */
export function resolveNotifications(raw: z.infer<typeof notificationsSchema>, secret: Resolve, imageNames: string[], issues: string[]): NotifyChannel[] {
  return raw.flatMap((channel, i): NotifyChannel[] => {
    const path = `notifications.${i}`
    for (const [j, name] of (channel.images ?? []).entries()) {
      if (!imageNames.includes(name)) issues.push(`${path}.images.${j}: "${name}" is not the target of a configured image`)
    }
    const url = secret(channel.url, `${path}.url`)
    if (url && !/^https?:\/\//.test(url.reveal())) issues.push(`${path}.url: not an http(s) URL`)
    const filters = { events: channel.events, ...(channel.images ? { images: channel.images } : {}) }
    if (channel.type === 'slack') return url ? [{ type: 'slack', url, ...filters }] : []
    const key = secret(channel.secret, `${path}.secret`)
    if (key && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(key.reveal())) issues.push(`${path}.secret: a Standard Webhooks secret is "whsec_" and base64`)
    return url && key ? [{ type: 'webhook', url, secret: key, ...filters }] : []
  })
}
