/**
 * CloudEvents 1.0 over HTTP, both content modes: structured (`application/cloudevents+json`, the
 * whole event in the body; Harbor) and binary (attributes in `ce-*` headers, the data as the body;
 * Zot through the sdk-go client). Spec: https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md
 */
import * as z from 'zod/mini'
import { InvalidPayloadError } from '../errors.ts'
import { decodeJson, parseJsonBody, requireContentType } from './parse-body.ts'
import type { Delivery } from './source.ts'

/** The attributes we use and the still unvalidated data of one CloudEvent. */
export interface CloudEvent {
  type: string
  id: string
  source: string
  time?: string
  data: unknown
}

/** The structured-mode media type. */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json'

const attribute = z.string().check(z.minLength(1), z.maxLength(512))
const structuredSchema = z.object({
  specversion: z.literal('1.0'),
  type: attribute,
  id: attribute,
  source: attribute,
  time: z.optional(z.string().check(z.maxLength(64))),
  data: z.optional(z.unknown()),
})
const attributesSchema = z.omit(structuredSchema, { data: true })

/** True when the delivery is a binary-mode CloudEvent (it has a `ce-specversion` header). */
export function isBinaryCloudEvent(delivery: Delivery): boolean {
  return delivery.headers.has('ce-specversion')
}

/** Reads a structured-mode CloudEvent; throws 415 / 400 like any JSON body. */
export function readStructuredCloudEvent(delivery: Delivery): CloudEvent {
  requireContentType(delivery, [CLOUDEVENTS_JSON])
  const { type, id, source, time, data } = parseJsonBody(delivery, structuredSchema)
  return { type, id, source, ...(time ? { time } : {}), data }
}

/** Reads a binary-mode CloudEvent whose data is JSON; throws 415 / 400. */
export function readBinaryCloudEvent(delivery: Delivery): CloudEvent {
  requireContentType(delivery, ['application/json'])
  const header = (name: string) => delivery.headers.get(`ce-${name}`) ?? undefined
  const attributes = { specversion: header('specversion'), type: header('type'), id: header('id'), source: header('source'), time: header('time') }
  const parsed = attributesSchema.safeParse(attributes)
  if (!parsed.success) throw new InvalidPayloadError('ce-* headers are not a CloudEvents 1.0 event (ce-specversion, ce-type, ce-id, ce-source)')
  const { type, id, source, time } = parsed.data
  return { type, id, source, ...(time ? { time } : {}), data: decodeJson(delivery.body, 'body') }
}

/** Reads a CloudEvent in whichever mode the delivery uses. */
export function readCloudEvent(delivery: Delivery): CloudEvent {
  return isBinaryCloudEvent(delivery) ? readBinaryCloudEvent(delivery) : readStructuredCloudEvent(delivery)
}
