/**
 * What a notification says: a Slack incoming-webhook message (`text` plus one mrkdwn section,
 * https://api.slack.com/messaging/webhooks) or a generic JSON body in the Standard Webhooks shape
 * (`type`, `timestamp`, `data`), signed as that spec says
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * `webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">`, keyed with the
 * base64 bytes after `whsec_`. Names, versions, digests and reasons only: never a secret.
 */
import * as z from 'zod/mini'
import { redactUrl } from '../log.ts'
import { NOTIFY_EVENTS, type NotifyEventType } from '../notify-config.ts'

const text = z.string().check(z.maxLength(4096))

/** One outcome to announce (it travels inside a work item, so it is validated where it comes in). */
export const notifyEventSchema = z.strictObject({
  type: z.enum(NOTIFY_EVENTS),
  image: text,
  version: text,
  at: text,
  digest: z.optional(text),
  tags: z.optional(z.array(text).check(z.maxLength(100))),
  platform: z.optional(text),
  reason: z.optional(text),
  missing: z.optional(z.array(text).check(z.maxLength(100))),
  attempts: z.optional(z.int().check(z.minimum(0))),
})

export type NotifyEvent = z.infer<typeof notifyEventSchema>

const HEADLINES: Record<NotifyEventType, string> = {
  published: 'published',
  partial: 'published partially (deadline passed)',
  stale: 'is stale (deadline passed with arches missing)',
  refused: 'has a refused arch',
  failing: 'keeps failing',
}

/** One line for humans. */
export function formatNotifyText(event: NotifyEvent): string {
  const details = [
    event.digest && `digest ${event.digest}`,
    event.tags && event.tags.length > 0 && `tags ${event.tags.join(', ')}`,
    event.platform && `platform ${event.platform}`,
    event.missing && event.missing.length > 0 && `missing ${event.missing.join(', ')}`,
    event.attempts !== undefined && `${event.attempts} attempts`,
    event.reason && `reason: ${redactUrl(event.reason)}`,
  ].filter(Boolean)
  return `${event.image}:${event.version} ${HEADLINES[event.type]}${details.length > 0 ? ` (${details.join('; ')})` : ''}`
}

/** The Slack incoming-webhook body. */
export function formatSlackPayload(event: NotifyEvent): { text: string; blocks: unknown[] } {
  const text = formatNotifyText(event)
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(`${event.image}:${event.version}`)}* ${escapeSlack(text.slice(event.image.length + event.version.length + 2))}` } }] }
}

/** The generic webhook body (`type` is `version.<event>`). */
export function formatWebhookPayload(event: NotifyEvent): { type: string; timestamp: string; data: Omit<NotifyEvent, 'type' | 'at'> } {
  const { type, at, ...data } = event
  return { type: `version.${type}`, timestamp: at, data: { ...data, ...(data.reason ? { reason: redactUrl(data.reason) } : {}) } }
}

/** The three Standard Webhooks headers for `body`. */
export async function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<Record<string, string>> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0))
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`)))
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${btoa(String.fromCharCode(...mac))}` }
}

// Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
