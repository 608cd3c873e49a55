/**
 * Structured logging: one JSON object per line, injected everywhere as `Logger`.
 * Values that look like credentials are redacted before they are written; everything is redacted
 * in linear time and long strings are clipped first, since much of what is logged comes from outside.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

/** What the app and pipeline log through; tests inject a silent or recording logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET_KEY = /pass(word)?|secret|token|authorization|credential/i
const SECRET_PARAM = /token|secret|password|sig/i
// A logged string beyond this is clipped before redaction (a 16 KB request path says nothing more).
const MAX_LOGGED_CHARS = 2048
// Characters a terminal or log viewer would act on even inside a JSON string: DEL and C1 controls,
// line and paragraph separators, and the bidirectional overrides (CVE-2021-42574, "Trojan Source").
const INVISIBLE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** Replaces credential-like fields and URL userinfo/query secrets with a placeholder. */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redactValue(value)
  }
  return out
}

function redactValue(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: redactUrl(clipText(value.message, MAX_LOGGED_CHARS)) }
  if (typeof value === 'string') return redactUrl(clipText(value, MAX_LOGGED_CHARS))
  if (Array.isArray(value)) return value.map(redactValue)
  if (value !== null && typeof value === 'object' && value.constructor === Object) {
    return redactFields(value as LogFields)
  }
  return value
}

/** Shortens `text` to `max` characters, saying how many were dropped. */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more)`
}

/**
 * Removes userinfo and secret-looking query parameters from any URL inside `text`, and the secret
 * segment of `/webhooks/<source>/<secret>`. Linear in the length of `text`: every pattern below
 * either starts at a literal and stops at a character it cannot contain, or runs over disjoint spans.
 */
export function redactUrl(text: string): string {
  return redactWebhookSecrets(redactQuerySecrets(redactUserinfo(text)))
}

// `scheme://user:pass@host`: from each `://`, the authority runs to the first `/`, `@` or space.
function redactUserinfo(text: string): string {
  let out = ''
  let from = 0
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    let end = at + 3
    while (end < text.length && !'/@ \t\r\n'.includes(text[end]!)) end++
    if (text[end] !== '@') continue
    out += `${text.slice(from, at + 3)}[redacted]`
    from = end
  }
  return from === 0 ? text : out + text.slice(from)
}

// Spans between `?`/`&` are disjoint, so the name and value scans never overlap.
function redactQuerySecrets(text: string): string {
  return text.replace(/([?&])([^=&?\s]*)=([^&?\s]*)/g, (whole, separator: string, name: string) =>
    SECRET_PARAM.test(name) ? `${separator}${name}=[redacted]` : whole,
  )
}

function redactWebhookSecrets(text: string): string {
  return text.replace(/(\/webhooks\/[a-z]{1,32}\/)[^/\s?]+/g, '$1[redacted]')
}

/** Escapes characters JSON.stringify leaves raw but that a log viewer would act on. */
export function escapeInvisible(line: string): string {
  return line.replace(INVISIBLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Creates a logger that writes JSON lines at or above `level` to `write`. */
export function createJsonLogger(
  write: (line: string) => void,
  level: LogLevel = 'info',
  now: () => Date = () => new Date(),
): Logger {
  const emit = (at: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LEVELS[at] < LEVELS[level]) return
    write(escapeInvisible(JSON.stringify({ time: now().toISOString(), level: at, msg: message, ...redactFields(fields) })))
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

/** A logger that drops everything (the default in unit tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
