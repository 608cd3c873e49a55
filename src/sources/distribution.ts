/**
 * CNCF distribution (registry:2, GitLab self-managed) notifications: an envelope of events,
 * authenticated only by a static header from the registry's endpoint config.
 * Format: https://distribution.github.io/distribution/about/notifications/
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import { isImageManifestMediaType, isManifestMediaType } from '../core/media-types.ts'
import { isValidRepository, isValidTag } from '../core/reference.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, requireContentType } from './parse-body.ts'
import type { BlobReference, Source, SourceContext, SourceEvent } from './source.ts'
import { readBearer, requireSecret, verifyByHead } from './verify.ts'

export interface DistributionOptions {
  tokens: Secret[]
  /** The registry host events are about; by default the event's `request.host` if it is configured. */
  registry?: string
}

// v2.8 sends events.v1+json, v3 sends events.v2+json (distribution commit 0742b5667).
const CONTENT_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
  'application/json',
] as const

const eventSchema = z.object({
  id: z.optional(z.string().check(z.maxLength(256))),
  timestamp: z.optional(z.string().check(z.maxLength(64))),
  action: z.string().check(z.maxLength(64)),
  target: z.optional(
    z.object({
      mediaType: z.optional(z.string().check(z.maxLength(256))),
      digest: z.optional(z.string().check(z.maxLength(256))),
      repository: z.optional(z.string().check(z.maxLength(512))),
      tag: z.optional(z.string().check(z.maxLength(256))),
      references: z.optional(z.array(z.partial(z.object({ mediaType: z.string().check(z.maxLength(256)), digest: z.string().check(z.maxLength(256)), size: z.int().check(z.nonnegative()) }))).check(z.maxLength(1000))),
    }),
  ),
  request: z.optional(z.object({ host: z.optional(z.string().check(z.maxLength(512))) })),
})
/** The notification envelope (exported for the test that compiled and interpreted parsing agree). */
export const envelopeSchema = z.object({ events: z.array(eventSchema).check(z.maxLength(1000)) })
type DistributionEvent = z.infer<typeof eventSchema>

/** The distribution notification source (`POST /webhooks/distribution`). */
export const distributionSource: Source<DistributionOptions> = {
  id: 'distribution',
  // The registry notifies about every repository and retries a non-2xx forever, blocking its
  // queue (distribution notifications/sinks.go "never drop events"): unknown images get a 2xx.
  rejectUnknownImages: false,
  ...verifyByHead<DistributionOptions>((delivery, options) => {
    requireSecret(readBearer(delivery.headers.get('authorization')), options.tokens, 'Authorization bearer token')
  }),
  parse(delivery, options, context) {
    requireContentType(delivery, CONTENT_TYPES)
    const envelope = parseJsonBody(delivery, envelopeSchema)
    return envelope.events.map((event) => normalizeEvent(event, options, context))
  },
}

function normalizeEvent(event: DistributionEvent, options: DistributionOptions, context: SourceContext): SourceEvent {
  const { target } = event
  const id = event.id ? { id: event.id } : {}
  const where = { ...(target?.repository ? { repository: target.repository } : {}), ...(target?.tag ? { tag: target.tag } : {}) }
  if (event.action !== 'push') return { kind: 'ignored', reason: `action "${event.action}"`, ...where, ...id }
  if (!isManifestMediaType(target?.mediaType)) return { kind: 'ignored', reason: 'not a manifest (blob or artifact)', ...where, ...id }
  // target.tag is set only for a manifest PUT by tag (registry/handlers/manifests.go).
  if (!target?.tag) return { kind: 'ignored', reason: 'push by digest (no tag)', ...where, ...id }
  if (!target.repository || !isValidRepository(target.repository) || !isValidTag(target.tag)) {
    return { kind: 'ignored', reason: 'invalid repository or tag', ...where, ...id }
  }
  const registry = options.registry ?? event.request?.host
  if (!registry || !context.registries.includes(registry)) {
    return { kind: 'ignored', reason: 'registry host is not configured', ...where, ...id }
  }
  const digest = isDigest(target.digest) ? { digest: target.digest } : {}
  const references = readReferences(event)
  const occurredAt = event.timestamp ? parseInstant(event.timestamp) : undefined
  const at = occurredAt ? { occurredAt } : {}
  return { kind: 'push', registry, repository: target.repository, tag: target.tag, mediaType: target.mediaType, ...digest, ...references, ...at, ...id }
}

function isDigest(value: string | undefined): value is string {
  return value !== undefined && /^sha256:[a-f0-9]{64}$/.test(value)
}

// With `notifications.events.includereferences: true` an image manifest's event lists its config
// and layers (distribution notifications/bridge.go), which lets us fetch the config and start
// copying blobs while the manifest itself is still on its way. Hints only: all is verified.
const MAX_REFERENCES = 128

function readReferences(event: DistributionEvent): { references?: BlobReference[] } {
  if (!isImageManifestMediaType(event.target?.mediaType)) return {}
  // An image has at most 127 layers and a config (Docker's limit); more is not a real image.
  const references = (event.target?.references ?? []).slice(0, MAX_REFERENCES).flatMap((ref) =>
    ref.mediaType && isDigest(ref.digest) && ref.size !== undefined ? [{ mediaType: ref.mediaType, digest: ref.digest, size: ref.size }] : [],
  )
  return references.length > 0 ? { references } : {}
}
