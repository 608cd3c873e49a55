/**
 * Harbor project webhooks, in the Default (`application/json`) and CloudEvents
 * (`application/cloudevents+json`) payload formats. Unsigned: the policy's optional Auth Header is
 * sent as `Authorization: <value>`, the only authenticity check.
 * Format: https://goharbor.io/docs/main/working-with-projects/project-configuration/configure-webhooks/
 */
import * as z from 'zod/mini'
import { instantFromEpochSeconds, parseInstant } from '../core/instant.ts'
import type { Secret } from '../secret.ts'
import { CLOUDEVENTS_JSON, readStructuredCloudEvent } from './cloud-events.ts'
import { parseJsonBody, parseValue, requireContentType } from './parse-body.ts'
import { buildPushEvent, hostOf, ignoredEvent } from './push-event.ts'
import type { Delivery, Source, SourceContext, SourceEvent } from './source.ts'
import { requireHeaderSecret, verifyByHead } from './verify.ts'

export interface HarborOptions {
  secrets: Secret[]
  /** The configured registry host the events are about; by default the host of each `resource_url`. */
  registry?: string
}

// Default format `type`, CloudEvents `type` (goharbor/harbor src/pkg/notifier/formats/cloudevents.go).
const PUSH_TYPES = ['PUSH_ARTIFACT', 'harbor.artifact.pushed']

const defaultSchema = z.object({ type: z.string().check(z.maxLength(128)), occur_at: z.optional(z.number()), event_data: z.unknown() })
const resourceSchema = z.object({
  digest: z.optional(z.string().check(z.maxLength(256))),
  tag: z.optional(z.string().check(z.maxLength(256))),
  resource_url: z.optional(z.string().check(z.maxLength(1024))),
})
const eventDataSchema = z.object({
  resources: z.array(resourceSchema).check(z.maxLength(1000)),
  repository: z.object({ repo_full_name: z.string().check(z.maxLength(512)) }),
})
type HarborResource = z.infer<typeof resourceSchema>

/** The Harbor webhook source (`POST /webhooks/harbor`). */
export const harborSource: Source<HarborOptions> = {
  id: 'harbor',
  // Harbor's job service retries a non-2xx up to `notification.webhook_job_max_retry` times
  // (make/harbor.yml.tmpl) and a project policy covers every repository of the project, so an
  // unrelated repository would burn retries and fill the job log: unknown images get a 2xx.
  rejectUnknownImages: false,
  // No replay window: `occur_at` is covered by no signature (anyone with the header can set it)
  // and a job retried for minutes would fall out of it.
  ...verifyByHead<HarborOptions>((delivery, options) => {
    requireHeaderSecret(delivery.headers.get('authorization'), options.secrets, 'Authorization header (Harbor auth header)')
  }),
  parse(delivery, options, context) {
    const envelope = readEnvelope(delivery)
    if (!PUSH_TYPES.includes(envelope.type)) return [ignoredEvent(`event type "${envelope.type}"`, { id: envelope.id })]
    const data = parseValue(envelope.data, eventDataSchema, 'event data')
    // One event per resource; Harbor fills in only the first tag of an artifact (src/controller/event/handler/webhook/artifact/artifact.go).
    const where = { repository: data.repository.repo_full_name, occurredAt: envelope.occurredAt }
    return data.resources.map((resource) => normalizeResource(resource, where, options, context))
  },
}

interface HarborEnvelope {
  type: string
  data: unknown
  id?: string
  occurredAt?: string | undefined
}

function readEnvelope(delivery: Delivery): HarborEnvelope {
  requireContentType(delivery, ['application/json', CLOUDEVENTS_JSON])
  if (delivery.headers.get('content-type')?.toLowerCase().startsWith(CLOUDEVENTS_JSON)) {
    const event = readStructuredCloudEvent(delivery)
    return { type: event.type, data: event.data, id: event.id, occurredAt: event.time ? parseInstant(event.time) : undefined }
  }
  const payload = parseJsonBody(delivery, defaultSchema)
  // `occur_at` is Unix seconds (src/pkg/notifier/model/event.go).
  return { type: payload.type, data: payload.event_data, occurredAt: payload.occur_at === undefined ? undefined : instantFromEpochSeconds(payload.occur_at) }
}

// Without a tag Harbor puts the digest into `tag` and `resource_url` ends in `@sha256:…`
// (constructArtifactPayload); buildPushEvent ignores those.
function normalizeResource(resource: HarborResource, where: { repository: string; occurredAt?: string | undefined }, options: HarborOptions, context: SourceContext): SourceEvent {
  const registry = options.registry ?? hostOf(resource.resource_url)
  return buildPushEvent({ ...where, registry, tag: resource.tag, digest: resource.digest }, context)
}
