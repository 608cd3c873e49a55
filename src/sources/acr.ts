/**
 * Azure Container Registry webhooks: one event object per request (no envelope), unsigned; the
 * only authenticity is a custom header configured on the webhook (e.g. `Authorization: Bearer <secret>`).
 * Format: https://learn.microsoft.com/azure/container-registry/container-registry-webhook-reference
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, requireContentType } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source } from './source.ts'
import { requireHeaderSecret, verifyByHead } from './verify.ts'

export interface AcrOptions {
  /** The custom header name set on the webhook (lower-case), default `authorization`. */
  header: string
  secrets: Secret[]
  /** The configured registry host; by default the event's `request.host` (`<name>.azurecr.io`). */
  registry?: string
}

const text = (max: number) => z.string().check(z.maxLength(max))
const eventSchema = z.object({
  id: z.optional(text(256)),
  timestamp: z.optional(text(64)),
  action: text(64),
  target: z.optional(z.object({ mediaType: z.optional(text(256)), digest: z.optional(text(256)), repository: z.optional(text(512)), tag: z.optional(text(256)) })),
  request: z.optional(z.object({ host: z.optional(text(512)) })),
})

/** The Azure Container Registry webhook source (`POST /webhooks/acr`). */
export const acrSource: Source<AcrOptions> = {
  id: 'acr',
  // ACR documents no retry policy and a webhook's scope is often the whole registry; a 2xx for an
  // unknown image can never start a retry loop, and the response body still lists it as ignored.
  rejectUnknownImages: false,
  // No replay window: `timestamp` is covered by no signature; anyone holding the header can set it.
  ...verifyByHead<AcrOptions>((delivery, options) => {
    requireHeaderSecret(delivery.headers.get(options.header), options.secrets, `${options.header} header`)
  }),
  parse(delivery, options, context) {
    // ACR sends application/json unless the webhook overrides Content-Type with a custom header.
    requireContentType(delivery, ['application/json'])
    const event = parseJsonBody(delivery, eventSchema)
    const { target, id } = event
    const place = { repository: target?.repository, tag: target?.tag, id }
    // The portal's Ping button and `az acr webhook ping` send `action: "ping"`, to be answered 2xx.
    if (event.action !== 'push') return [ignoredEvent(`action "${event.action}"`, place)]
    // A push by digest arrives with no tag (a child of a multi-arch push).
    const registry = options.registry ?? event.request?.host
    const occurredAt = event.timestamp ? parseInstant(event.timestamp) : undefined
    return [buildPushEvent({ ...place, registry, repository: target?.repository ?? '', digest: target?.digest, mediaType: target?.mediaType, occurredAt }, context)]
  },
}
