/**
 * Zot's events extension, HTTP sink: CloudEvents 1.0 sent by the sdk-go client (binary mode, the
 * attributes in `ce-*` headers), authenticated by the sink's credentials: Basic when a username is
 * configured, else `Bearer <token>` (project-zot/zot pkg/extensions/events/http_sink.go NewHTTPSink).
 * Format: https://zotregistry.dev/latest/articles/events/ (project-zot/zot pkg/extensions/events)
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import type { Secret } from '../secret.ts'
import { readCloudEvent } from './cloud-events.ts'
import { parseValue } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source } from './source.ts'
import { readBearer, requireBasicAuth, requireSecret, verifyByHead } from './verify.ts'

export interface ZotOptions {
  /** The sink's Basic credentials: its username and password (several during rotation). */
  username?: string
  passwords: Secret[]
  /** The sink's `credentials.token` (several during rotation): sent as Bearer when no username is set. */
  tokens?: Secret[]
  /** The configured registry host: Zot's events do not name it. */
  registry: string
}

// Event types: project-zot/zot pkg/extensions/events/common.go.
const IMAGE_UPDATED = 'zotregistry.image.updated'
const text = (max: number) => z.string().check(z.maxLength(max))
// `manifest` (the raw manifest) is left unread: the tag is resolved in the registry anyway.
const dataSchema = z.object({ name: text(512), reference: text(256), digest: z.optional(text(256)), mediaType: z.optional(text(256)) })

/** The Zot events source (`POST /webhooks/zot`). */
export const zotSource: Source<ZotOptions> = {
  id: 'zot',
  // Zot publishes fire-and-forget and only logs a failure (events.go publish), and the sink sees
  // every repository of the registry: a 404 would reach nobody but Zot's error log, so unknown images get a 2xx.
  rejectUnknownImages: false,
  ...verifyByHead<ZotOptions>((delivery, options) => {
    const header = delivery.headers.get('authorization')
    const bearer = readBearer(header)
    const tokens = options.tokens ?? []
    // Zot sends Bearer only when the sink has a token and no username (http_sink.go NewHTTPSink).
    if (options.username === undefined || (bearer !== undefined && tokens.length > 0)) requireSecret(bearer, tokens, 'Bearer token')
    else requireBasicAuth(header, options.username, options.passwords, 'Basic credentials')
  }),
  parse(delivery, options, context) {
    const event = readCloudEvent(delivery)
    // No replay window: `ce-time` is not covered by any signature, and Basic credentials let
    // anyone who holds them set any time.
    if (event.type !== IMAGE_UPDATED) return [ignoredEvent(`event type "${event.type}"`, { id: event.id })]
    const data = parseValue(event.data, dataSchema, 'event data')
    // `reference` is the tag, or the digest for an untagged manifest PUT (storage/imagestore ImageUpdated).
    const occurredAt = event.time ? parseInstant(event.time) : undefined
    const fields = { registry: options.registry, repository: data.name, tag: data.reference, digest: data.digest, mediaType: data.mediaType, occurredAt, id: event.id }
    return [buildPushEvent(fields, context)]
  },
}
