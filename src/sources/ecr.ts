/**
 * Amazon ECR pushes through EventBridge: a rule on `ECR Image Action` events targets an API
 * destination that POSTs the event here, authenticated by its connection's header (API key or Basic).
 * Format: https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html
 */
import * as z from 'zod/mini'
import { parseInstant } from '../core/instant.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, parseValue, requireContentType } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source, SourceContext, SourceEvent } from './source.ts'
import { requireHeaderSecret, verifyByHead } from './verify.ts'

export interface EcrOptions {
  /** The API destination connection's header name (lower-case), default `authorization`. */
  header: string
  secrets: Secret[]
}

const text = (max: number) => z.string().check(z.maxLength(max))
const eventSchema = z.object({
  id: z.optional(text(256)),
  time: z.optional(text(64)),
  source: text(256),
  'detail-type': text(256),
  account: text(64),
  region: text(64),
  detail: z.unknown(),
})
const detailSchema = z.object({
  result: text(64),
  'action-type': text(64),
  'repository-name': text(512),
  'image-digest': z.optional(text(256)),
  'image-tag': z.optional(text(256)),
  // Newer events only (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html).
  'manifest-media-type': z.optional(text(256)),
})
type EcrEvent = z.infer<typeof eventSchema>

const ACCOUNT = /^\d{12}$/
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/

/** The ECR-through-EventBridge source (`POST /webhooks/ecr`). */
export const ecrSource: Source<EcrOptions> = {
  id: 'ecr',
  // EventBridge retries failed deliveries for up to 24 h / 185 attempts and counts every failure
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html); the rule
  // matches every repository of the account, so unknown images get a 2xx.
  rejectUnknownImages: false,
  // No replay window: the event's `time` is covered by no signature, and EventBridge retries the
  // same event for up to 24 h.
  ...verifyByHead<EcrOptions>((delivery, options) => {
    requireHeaderSecret(delivery.headers.get(options.header), options.secrets, `${options.header} header`)
  }),
  parse(delivery, _options, context) {
    // API destinations send `application/json; charset=utf-8`.
    requireContentType(delivery, ['application/json'])
    const event = parseJsonBody(delivery, eventSchema)
    const id = event.id
    if (event.source !== 'aws.ecr' || event['detail-type'] !== 'ECR Image Action') {
      return [ignoredEvent(`event "${event.source}" / "${event['detail-type']}"`, { id })]
    }
    return [normalizeDetail(event, parseValue(event.detail, detailSchema, 'detail'), context)]
  },
}

function normalizeDetail(event: EcrEvent, detail: z.infer<typeof detailSchema>, context: SourceContext): SourceEvent {
  const place = { repository: detail['repository-name'], tag: detail['image-tag'], id: event.id }
  if (detail['action-type'] !== 'PUSH') return ignoredEvent(`action "${detail['action-type']}"`, place)
  if (detail.result !== 'SUCCESS') return ignoredEvent(`result "${detail.result}"`, place)
  const registry = ecrHost(event.account, event.region)
  if (!registry) return ignoredEvent('invalid account or region', place)
  const occurredAt = event.time ? parseInstant(event.time) : undefined
  return buildPushEvent({ ...place, registry, digest: detail['image-digest'], mediaType: detail['manifest-media-type'], occurredAt }, context)
}

// The registry host is built from the event; it must still be a configured registry. China
// regions use the .amazonaws.com.cn suffix (https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html).
function ecrHost(account: string, region: string): string | undefined {
  if (!ACCOUNT.test(account) || !REGION.test(region)) return undefined
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`
}
