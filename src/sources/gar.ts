/**
 * Google Artifact Registry (and Container Registry) through a Pub/Sub push subscription on the
 * `gcr` topic: the body wraps base64 `message.data`; authenticity is Google's OIDC token.
 * Formats: https://cloud.google.com/artifact-registry/docs/configure-notifications,
 * https://cloud.google.com/pubsub/docs/push, https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import { parseReference, type Reference } from '../core/reference.ts'
import { InvalidPayloadError, UnauthorizedError } from '../errors.ts'
import { verifyJwt, type Jwk } from './jwt.ts'
import { decodeJson, parseJsonBody, parseValue, requireContentType } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source, SourceContext, SourceEvent } from './source.ts'
import { readBearer, verifyByHead } from './verify.ts'

export interface GarOptions {
  /** Accepted `aud` values: what the subscription's push auth sets (by default the push URL). */
  audiences: string[]
  /** Google's signing keys (https://www.googleapis.com/oauth2/v3/certs), inline; several at once during rotation. */
  jwks: Jwk[]
  /**
   * The push subscription's service account: the token's `email` must be it, and verified. Required:
   * Google signs tokens with this audience for any account that asks (anyone can mint one for any URL).
   */
  serviceAccount: string
  clockSkewSeconds: number
}

// Google's ID tokens carry either issuer form (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken).
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com']
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

const envelopeSchema = z.object({
  message: z.object({
    data: z.string().check(z.maxLength(64 * 1024), z.regex(BASE64)),
    messageId: z.optional(z.string().check(z.maxLength(256))),
    // Pub/Sub sends both spellings of the id (https://cloud.google.com/pubsub/docs/push#receive_push).
    message_id: z.optional(z.string().check(z.maxLength(256))),
    publishTime: z.optional(z.string().check(z.maxLength(64))),
  }),
  subscription: z.optional(z.string().check(z.maxLength(512))),
})
const dataSchema = z.object({ action: z.string().check(z.maxLength(32)), digest: z.optional(z.string().check(z.maxLength(1024))), tag: z.optional(z.string().check(z.maxLength(1024))) })
type GarMessage = z.infer<typeof dataSchema>

/** The Artifact Registry Pub/Sub push source (`POST /webhooks/gar`). */
export const garSource: Source<GarOptions> = {
  id: 'gar',
  // Pub/Sub redelivers every non-2xx (other than 102) until the message expires (7 days by
  // default, https://cloud.google.com/pubsub/docs/push#receive_push): unknown images get a 2xx.
  rejectUnknownImages: false,
  // The replay window is the token's own `iat` / `exp` (Google ID tokens live one hour).
  ...verifyByHead<GarOptions>(async (delivery, options) => {
    const token = readBearer(delivery.headers.get('authorization'))
    if (!token) throw new UnauthorizedError('Authorization bearer token (Pub/Sub OIDC) is missing')
    const nowSeconds = Date.parse(delivery.receivedAt) / 1000
    const policy = { keys: options.jwks, issuers: GOOGLE_ISSUERS, audiences: options.audiences, nowSeconds, skewSeconds: options.clockSkewSeconds }
    const claims = await verifyJwt(token, policy)
    if ((claims.email !== options.serviceAccount || claims.email_verified !== true)) {
      throw new UnauthorizedError('token is not from the configured push service account')
    }
  }),
  parse(delivery, _options, context) {
    requireContentType(delivery, ['application/json'])
    const { message } = parseJsonBody(delivery, envelopeSchema)
    const data = parseValue(decodeJson(decodeBase64(message.data), 'message.data'), dataSchema, 'message.data')
    const occurredAt = message.publishTime ? parseInstant(message.publishTime) : undefined
    return [normalizeMessage(data, { id: message.messageId ?? message.message_id, occurredAt }, context)]
  },
}

function decodeBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
  } catch {
    throw new InvalidPayloadError('message.data is not valid base64')
  }
}

// `tag` and `digest` are full references, `host/project/repo/image:tag` and `…@sha256:…`; `tag` is
// absent for untagged pushes (https://cloud.google.com/artifact-registry/docs/configure-notifications#examples).
function normalizeMessage(data: GarMessage, meta: { id: string | undefined; occurredAt: string | undefined }, context: SourceContext): SourceEvent {
  const { id } = meta
  if (data.action !== 'INSERT') return ignoredEvent(`action "${data.action}"`, { id })
  if (!data.tag) return ignoredEvent('push by digest (no tag)', { id })
  const ref = parseReference(data.tag)
  if (!ref?.tag) return ignoredEvent('tag is not a full image reference', { id })
  const named = data.digest ? parseReference(data.digest) : undefined
  const digest = named && isSameRepository(ref, named) ? named.digest : undefined
  return buildPushEvent({ ...meta, registry: ref.registry, repository: ref.repository, tag: ref.tag, digest }, context)
}

function isSameRepository(a: Reference, b: Reference): boolean {
  return a.registry === b.registry && a.repository === b.repository
}
