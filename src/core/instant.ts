/**
 * Event timestamps made comparable: RFC 3339 with any number of fractional digits and any offset
 * becomes one fixed-width UTC string (nanosecond precision), so plain string order is time order.
 * Pure.
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i

/** Returns the sortable form of an RFC 3339 timestamp, or undefined when it is not one. */
export function parseInstant(text: string): string | undefined {
  const match = RFC3339.exec(text.trim())
  if (!match) return undefined
  const [, seconds, fraction = '', zone] = match as unknown as [string, string, string | undefined, string]
  const ms = Date.parse(`${seconds}${zone.toUpperCase() === 'Z' ? 'Z' : zone}`)
  if (Number.isNaN(ms)) return undefined
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction.padEnd(9, '0')}Z`
}

/** Returns the sortable instant of a Unix time in (possibly fractional) seconds. */
export function instantFromEpochSeconds(seconds: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 1e11) return undefined
  const whole = Math.floor(seconds)
  const nanos = Math.round((seconds - whole) * 1e9)
  return `${new Date(whole * 1000).toISOString().slice(0, 19)}.${String(Math.min(nanos, 999_999_999)).padStart(9, '0')}Z`
}
