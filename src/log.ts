/**
 * Structured logging: one JSON object per line, injected everywhere as `Logger`.
 * Values that look like credentials are redacted before they are written.
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

/** Replaces credential-like fields and URL userinfo/query secrets with a placeholder. */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redactValue(value)
  }
  return out
}

function redactValue(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: redactUrl(value.message) }
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.map(redactValue)
  if (value !== null && typeof value === 'object' && value.constructor === Object) {
    return redactFields(value as LogFields)
  }
  return value
}

/** Removes userinfo and secret-looking query parameters from any URL inside `text`. */
export function redactUrl(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1[redacted]@')
    .replace(/([?&](?:[^=&\s]*(?:token|secret|password|sig)[^=&\s]*)=)[^&\s]*/gi, '$1[redacted]')
    .replace(/(\/webhooks\/[a-z]+\/)[^/\s?]+/g, '$1[redacted]')
}

/** Creates a logger that writes JSON lines at or above `level` to `write`. */
export function createJsonLogger(
  write: (line: string) => void,
  level: LogLevel = 'info',
  now: () => Date = () => new Date(),
): Logger {
  const emit = (at: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LEVELS[at] < LEVELS[level]) return
    write(JSON.stringify({ time: now().toISOString(), level: at, msg: message, ...redactFields(fields) }))
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

/** A logger that drops everything (the default in unit tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
