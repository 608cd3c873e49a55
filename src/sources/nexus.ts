/**
 * Sonatype Nexus Repository 3 repository webhooks (`rm:repository:component`) for Docker
 * repositories, signed with `X-Nexus-Webhook-Signature` (hex HMAC-SHA1 of the body).
 * Format: https://help.sonatype.com/en/example-headers-and-payloads.html
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import { UnauthorizedError } from '../errors.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, parseValue, requireContentType } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source, SourceContext, SourceEvent } from './source.ts'
import { normalizeOffset, requireFresh } from './timestamp-window.ts'
import { requireHmac } from './verify.ts'

export interface NexusOptions {
  secrets: Secret[]
  /** Nexus repository name -> the configured registry host serving it (a connector port or a subdomain). */
  repositories: Record<string, string>
  /** Replay window over the signed `timestamp`; 0 disables it. */
  maxAgeSeconds: number
}

const COMPONENT_WEBHOOK = 'rm:repository:component'
const text = (max: number) => z.string().check(z.maxLength(max))
const payloadSchema = z.object({ timestamp: text(64), repositoryName: text(256), action: text(64), component: z.unknown() })
const componentSchema = z.object({ format: text(64), name: text(512), version: text(256) })
type NexusPayload = z.infer<typeof payloadSchema>

/** The Nexus repository webhook source (`POST /webhooks/nexus`). */
export const nexusSource: Source<NexusOptions> = {
  id: 'nexus',
  // Nexus documents no retry behaviour for webhooks; a 2xx for an unknown image can never start
  // a retry loop, and the response body still lists it as ignored.
  rejectUnknownImages: false,
  // The signature covers the body; without one there is nothing to read the body for.
  verifyHead: (head) => {
    if (!(head.headers.get('x-nexus-webhook-signature'))) throw new UnauthorizedError('X-Nexus-Webhook-Signature is missing')
    return false
  },
  async verify(delivery, options) {
    const compact = stripJsonWhitespace(delivery.body)
    const bodies = compact.length === delivery.body.length ? [delivery.body] : [delivery.body, compact]
    await requireHmac(delivery.headers.get('x-nexus-webhook-signature'), { algorithm: 'SHA-1', bodies, secrets: options.secrets, what: 'X-Nexus-Webhook-Signature' })
  },
  parse(delivery, options, context) {
    requireContentType(delivery, ['application/json'])
    const webhook = delivery.headers.get('x-nexus-webhook-id')
    const id = delivery.headers.get('x-nexus-webhook-delivery')?.slice(0, 128)
    // Asset, audit and other webhooks may share the URL; only component events name a tag.
    if (webhook !== COMPONENT_WEBHOOK) return [ignoredEvent(`webhook "${(webhook ?? '(none)').slice(0, 64)}"`, { id })]
    const payload = parseJsonBody(delivery, payloadSchema)
    requireFresh(payload.timestamp, delivery.receivedAt, options.maxAgeSeconds, 'timestamp')
    return [normalizeComponent(payload, options, context, id)]
  },
}

// A Docker component is `name` = image, `version` = tag; re-pushing a tag updates the component.
function normalizeComponent(payload: NexusPayload, options: NexusOptions, context: SourceContext, id: string | undefined): SourceEvent {
  const component = parseValue(payload.component, componentSchema, 'component')
  const place = { repository: component.name, tag: component.version, id }
  if (payload.action !== 'CREATED' && payload.action !== 'UPDATED') return ignoredEvent(`action "${payload.action}"`, place)
  if (component.format !== 'docker') return ignoredEvent(`format "${component.format}"`, place)
  const registry = Object.hasOwn(options.repositories, payload.repositoryName) ? options.repositories[payload.repositoryName] : undefined
  if (!registry) return ignoredEvent(`Nexus repository "${payload.repositoryName}" is not mapped to a registry`, place)
  return buildPushEvent({ ...place, registry, occurredAt: parseInstant(normalizeOffset(payload.timestamp)) }, context)
}

// Nexus hashes the JSON "without whitespace" but may send it pretty-printed
// (https://help.sonatype.com/en/enabling-a-repository-webhook-capability.html): drop the
// whitespace between tokens, keep string contents byte for byte.
function stripJsonWhitespace(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length)
  let length = 0
  let inString = false
  let escaped = false
  for (const byte of body) {
    if (inString) {
      if (escaped) escaped = false
      else if (byte === 0x5c) escaped = true
      else if (byte === 0x22) inString = false
    } else if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue
    else if (byte === 0x22) inString = true
    out[length++] = byte
  }
  return out.subarray(0, length)
}
