/**
 * Replay windows for sources whose payload carries a signed event time: a delivery older than the
 * window (or too far in the future) is refused. Pure: "now" is the delivery's `receivedAt`.
 */
import { InvalidPayloadError, UnauthorizedError } from '../errors.ts'

/**
 * Default window. The signed times we check are event times, not per-attempt send times, so the
 * window must cover the sender's queue delay and a prompt manual redelivery; 0 disables the check.
 */
export const DEFAULT_MAX_AGE_SECONDS = 3600

/** How far in the future a timestamp may be (clock skew between the sender and us). */
export const FUTURE_SKEW_SECONDS = 300

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/

/** Rewrites a `+hhmm` offset (as Nexus sends) to RFC 3339's `+hh:mm`; other text is returned as is. */
export function normalizeOffset(text: string): string {
  return text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
}

/** Parses an ISO 8601 date-time (`+0000` offsets too); undefined when it is not one. */
export function parseTimestamp(text: string): number | undefined {
  if (!ISO_8601.test(text)) return undefined
  const millis = Date.parse(normalizeOffset(text))
  return Number.isFinite(millis) ? millis : undefined
}

/** Throws UnauthorizedError when `at` lies outside [receivedAt - maxAge, receivedAt + skew]. */
export function requireFresh(at: string, receivedAt: string, maxAgeSeconds: number, what: string): void {
  if (maxAgeSeconds === 0) return
  const time = parseTimestamp(at)
  if (time === undefined) throw new InvalidPayloadError(`${what} is not an ISO 8601 date-time`)
  const now = Date.parse(receivedAt)
  if (time < now - maxAgeSeconds * 1000 || time > now + FUTURE_SKEW_SECONDS * 1000) {
    throw new UnauthorizedError(`${what} is outside the accepted window (${maxAgeSeconds} s old to ${FUTURE_SKEW_SECONDS} s ahead): a replay or a wrong clock`)
  }
}
