/**
 * Gitea / Forgejo `package` webhooks for container packages, signed with `X-Gitea-Signature`
 * (hex HMAC-SHA256 of the raw body; Forgejo also sends it as `X-Forgejo-Signature`).
 * Format: https://docs.gitea.com/usage/webhooks (PackagePayload in modules/structs/hook.go)
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import { InvalidPayloadError, UnauthorizedError } from '../errors.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, requireContentType } from './parse-body.ts'
import { buildPushEvent, hostOf, ignoredEvent } from './push-event.ts'
import type { Source } from './source.ts'
import { requireFresh } from './timestamp-window.ts'
import { requireHmac } from './verify.ts'

export interface GiteaOptions {
  secrets: Secret[]
  /** The configured registry host (Gitea serves `/v2/` on its own host); by default the host of `package.html_url`. */
  registry?: string
  /** Replay window over the signed `package.created_at`; 0 disables it. */
  maxAgeSeconds: number
}

const text = (max: number) => z.string().check(z.maxLength(max))
const payloadSchema = z.object({
  action: text(64),
  package: z.object({
    type: text(64),
    name: text(512),
    version: text(256),
    owner: z.object({ login: text(256) }),
    html_url: z.optional(text(2048)),
    created_at: text(64),
  }),
})

/** The Gitea / Forgejo package webhook source (`POST /webhooks/gitea`). */
export const giteaSource: Source<GiteaOptions> = {
  id: 'gitea',
  // Gitea makes one attempt and keeps failures for manual redelivery (services/webhook/deliver.go),
  // so an unknown image is a 404 that shows in the hook's delivery history.
  rejectUnknownImages: true,
  // The signature covers the body; without one there is nothing to read the body for.
  verifyHead: (head) => {
    if (!(head.headers.get('x-gitea-signature') ?? head.headers.get('x-forgejo-signature') ?? head.headers.get('x-hub-signature-256'))) throw new UnauthorizedError('X-Gitea-Signature is missing')
    return false
  },
  async verify(delivery, options) {
    const headers = delivery.headers
    const hub = headers.get('x-hub-signature-256')?.replace(/^sha256=/, '')
    const signature = headers.get('x-gitea-signature') ?? headers.get('x-forgejo-signature') ?? hub
    await requireHmac(signature, { algorithm: 'SHA-256', bodies: [delivery.body], secrets: options.secrets, what: 'X-Gitea-Signature' })
  },
  parse(delivery, options, context) {
    requireContentType(delivery, ['application/json'])
    const event = delivery.headers.get('x-gitea-event') ?? delivery.headers.get('x-forgejo-event')
    const id = delivery.headers.get('x-gitea-delivery')?.slice(0, 128)
    if (!event) throw new InvalidPayloadError('X-Gitea-Event header is missing')
    if (event !== 'package') return [ignoredEvent(`event "${event.slice(0, 64)}"`, { id })]
    const { action, package: pkg } = parseJsonBody(delivery, payloadSchema)
    requireFresh(pkg.created_at, delivery.receivedAt, options.maxAgeSeconds, 'package.created_at')
    const repository = `${pkg.owner.login}/${pkg.name}`.toLowerCase()
    const place = { repository, tag: pkg.version, id }
    if (action !== 'created') return [ignoredEvent(`action "${action}"`, place)]
    if (pkg.type !== 'container') return [ignoredEvent(`package type "${pkg.type}"`, place)]
    // Every manifest PUT creates a version named by its reference, so untagged children arrive as
    // `sha256:…` versions; re-pushing a tag deletes and re-creates it (routers/api/packages/container).
    return [buildPushEvent({ ...place, registry: options.registry ?? hostOf(pkg.html_url), occurredAt: parseInstant(pkg.created_at) }, context)]
  },
}
