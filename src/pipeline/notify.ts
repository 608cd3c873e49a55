/**
 * Notifications: an outcome (published, partial, stale, refused, failing) is announced at most
 * once. `notify` claims the outcome with a create-once marker in the store, then queues one work
 * item per matching channel; `runNotifyItem` sends it, retrying on a network error, a timeout, 429
 * or 5xx with backoff, and gives up after NOTIFY_ATTEMPTS (logged). Publishing never waits for a
 * receiver: the items run after the work that raised them. The marker is claimed before sending,
 * so a crash in between loses that notification rather than risking a second one.
 */
import type { Deps } from '../deps.ts'
import { toHex } from '../core/digest.ts'
import { formatSlackPayload, formatWebhookPayload, signStandardWebhook, type NotifyEvent } from './notify-payloads.ts'
import type { WorkItem } from './work-item.ts'

/** A notification to send: which channel (index in config.notifications), the message id, the event. */
export type NotifyItem = Extract<WorkItem, { kind: 'notify' }>

export const NOTIFY_ATTEMPTS = 4
const RETRY_BASE_MS = 500
const SEND_TIMEOUT_MS = 10_000
// Markers outlive any redelivery or sweep that could raise the same outcome again.
const MARKER_TTL_MS = 30 * 24 * 3_600_000

/**
 * Announces `event` unless the outcome `key` names was announced before. The key says what makes
 * the outcome unique (for a publish: image, version and digest).
 */
export async function notify(deps: Deps, event: NotifyEvent, key: string): Promise<void> {
  const channels = (deps.config.notifications ?? []).map((channel, index) => ({ channel, index })).filter(({ channel }) =>
    channel.events.includes(event.type) && (!channel.images || channel.images.includes(event.image)),
  )
  if (channels.length === 0) return
  const id = `msg_${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)))).slice(0, 32)}`
  const claimed = await deps.store.save(`notified/${id}`, { key, at: deps.now().toISOString() }, 0, { expiresAt: deps.now().getTime() + MARKER_TTL_MS })
  if (!claimed.ok) return
  for (const { index } of channels) await deps.work.enqueue({ kind: 'notify', channel: index, id, event })
}

/** Sends one notification, retrying temporary failures; never throws. */
export async function runNotifyItem(deps: Deps, item: NotifyItem): Promise<void> {
  const channel = deps.config.notifications?.[item.channel]
  if (!channel) return
  const body = JSON.stringify(channel.type === 'slack' ? formatSlackPayload(item.event) : formatWebhookPayload(item.event))
  const fields = { channel: item.channel, type: channel.type, id: item.id, event: item.event.type, image: item.event.image, version: item.event.version }
  for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS; attempt++) {
    // Signed per attempt: the timestamp is when it was sent (receivers check it against a window).
    const signed = channel.type === 'webhook' ? await signStandardWebhook(channel.secret.reveal(), item.id, Math.floor(deps.now().getTime() / 1000), body) : {}
    const outcome = await send(channel.url.reveal(), body, signed)
    if (outcome === 'sent') return void deps.log.info('notification sent', { ...fields, attempts: attempt })
    if (outcome === 'refused') return void deps.log.error('notification refused by the receiver; not retried', fields)
    if (attempt < NOTIFY_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)))
  }
  deps.log.error('notification not delivered; gave up', { ...fields, attempts: NOTIFY_ATTEMPTS })
}

async function send(url: string, body: string, headers: Record<string, string>): Promise<'sent' | 'refused' | 'retry'> {
  try {
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })
    await response.body?.cancel()
    if (response.ok) return 'sent'
    return response.status === 429 || response.status >= 500 ? 'retry' : 'refused'
  } catch {
    return 'retry'
  }
}
