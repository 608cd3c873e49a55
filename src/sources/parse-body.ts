/**
 * Body helpers shared by sources: content-type checks and JSON + zod parsing with readable errors.
 */
import type * as z from 'zod/mini'
import { parseWithSchema } from '../core/parse-with-schema.ts'
import { InvalidPayloadError, UnsupportedMediaTypeError } from '../errors.ts'
import type { Delivery } from './source.ts'

/** Throws UnsupportedMediaTypeError unless the delivery's media type is one of `accepted`. */
export function requireContentType(delivery: Delivery, accepted: readonly string[]): void {
  const mediaType = (delivery.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!accepted.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(`content type "${mediaType || '(none)'}" is not accepted here; expected ${accepted.join(' or ')}`)
  }
}

/** Decodes the body as UTF-8 JSON and validates it; throws InvalidPayloadError listing the issues. */
export function parseJsonBody<T>(delivery: Delivery, schema: z.ZodMiniType<T>): T {
  return parseValue(decodeJson(delivery.body, 'body'), schema, 'body')
}

// One decoder for every body: decode() without { stream: true } keeps no state between calls.
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes strict UTF-8 JSON; throws InvalidPayloadError naming `what`. */
export function decodeJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes))
  } catch {
    throw new InvalidPayloadError(`${what} is not valid UTF-8 JSON`)
  }
}

/** Validates an already decoded value (an envelope's inner data); throws InvalidPayloadError listing the issues. */
export function parseValue<T>(value: unknown, schema: z.ZodMiniType<T>, what: string): T {
  const result = parseWithSchema(schema, value)
  if (result.ok) return result.value
  throw new InvalidPayloadError(`${what} does not match the expected schema`, result.issues.slice(0, 10))
}
