/**
 * Quay.io / Red Hat Quay repository notifications (`repo_push`, method Webhook POST). Quay signs
 * nothing and adds no header, so a long secret in the URL path (`/webhooks/quay/<secret>`) is the check.
 * Format: https://docs.redhat.com/en/documentation/red_hat_quay/3/html/use_red_hat_quay/repository_notifications
 */
import * as z from 'zod/mini'
import type { Secret } from '../secret.ts'
import { parseJsonBody, requireContentType } from './parse-body.ts'
import { buildPushEvent, hostOf, ignoredEvent } from './push-event.ts'
import type { Source } from './source.ts'
import { requireSecret, verifyByHead } from './verify.ts'

export interface QuayOptions {
  secrets: Secret[]
  /** The configured registry host; by default the host of the payload's `docker_url`. */
  registry?: string
}

const tagSchema = z.string().check(z.maxLength(256))
const payloadSchema = z.object({
  repository: z.string().check(z.maxLength(512)),
  docker_url: z.optional(z.string().check(z.maxLength(1024))),
  // Current Quay sends a list; the 2013 format sent an object keyed by tag (https://gist.github.com/jakedt/7533338).
  updated_tags: z.optional(z.union([z.array(tagSchema).check(z.maxLength(1000)), z.record(tagSchema, z.unknown())])),
})

/** The Quay notification source (`POST /webhooks/quay/<secret>`). */
export const quaySource: Source<QuayOptions> = {
  id: 'quay',
  // Quay stops delivering a notification after 3 consecutive failures until someone resets it
  // (quay/quay data/model/notification.py, get_enabled_notification): unknown images get a 2xx.
  rejectUnknownImages: false,
  // No replay window: Quay's payload carries no time at all.
  ...verifyByHead<QuayOptions>((delivery, options) => {
    requireSecret(delivery.params.secret, options.secrets, 'webhook secret in the URL path')
  }),
  parse(delivery, options, context) {
    requireContentType(delivery, ['application/json'])
    const payload = parseJsonBody(delivery, payloadSchema)
    const repository = payload.repository.toLowerCase()
    // Build, vulnerability and mirror notifications share the repository fields but have no updated_tags.
    if (!payload.updated_tags) return [ignoredEvent('not a repo_push notification', { repository })]
    const tags = Array.isArray(payload.updated_tags) ? payload.updated_tags : Object.keys(payload.updated_tags).slice(0, 1000)
    const registry = options.registry ?? hostOf(payload.docker_url)
    // Quay notifies only for pushes by tag (a digest push gets a hidden temporary tag and no event).
    return tags.map((tag) => buildPushEvent({ registry, repository, tag }, context))
  },
}
