/**
 * Logging of refused requests (401, 404, 413 ...) that a flood cannot turn into a flood of log
 * lines: a token bucket lets a burst of them through one by one, the rest are counted and reported
 * as one summary line per window (written when the next refusal comes after the window, or on flush).
 */
import { clipText, redactUrl, type Logger } from '../log.ts'

/** One refused request, as logged. */
export interface Refusal {
  method: string
  path: string
  status: number
  code: string
  message: string
}

/** Records refusals; `flush` writes a pending summary (a runtime may call it before it stops). */
export interface RefusalLog {
  refused(refusal: Refusal): void
  flush(): void
}

// A burst of 5 lines, then one more per minute; a summary at most every 10 s: a steady flood
// costs ~40 bytes a second.
const BURST_LINES = 5
const LINE_EVERY_MS = 60_000
const WINDOW_MS = 10_000
// An unknown path is the attacker's text: a prefix says enough.
const MAX_PATH_CHARS = 200
const MAX_MESSAGE_CHARS = 300

/** Creates a refusal log over `log`, windows measured on `now` (ms). */
export function createRefusalLog(log: Logger, now: () => number): RefusalLog {
  let windowStart = Number.NEGATIVE_INFINITY
  let tokens = BURST_LINES
  let refilledAt = now()
  let suppressed = new Map<string, number>()
  const flush = () => {
    if (suppressed.size === 0) return
    const total = [...suppressed.values()].reduce((sum, count) => sum + count, 0)
    log.warn('requests refused (not logged one by one)', { count: total, byStatus: Object.fromEntries(suppressed) })
    suppressed = new Map()
  }
  return {
    refused(refusal) {
      const at = now()
      if (at - windowStart >= WINDOW_MS) {
        flush()
        windowStart = at
      }
      const earned = Math.floor((at - refilledAt) / LINE_EVERY_MS)
      if (earned > 0) [tokens, refilledAt] = [Math.min(BURST_LINES, tokens + earned), refilledAt + earned * LINE_EVERY_MS]
      if (tokens > 0) {
        tokens--
        const { method, status, code } = refusal
        log.warn('request refused', { method, path: redactUrl(clipText(refusal.path, MAX_PATH_CHARS)), status, code, message: clipText(refusal.message, MAX_MESSAGE_CHARS) })
        return
      }
      const key = `${refusal.status} ${refusal.code}`
      suppressed.set(key, (suppressed.get(key) ?? 0) + 1)
    },
    flush,
  }
}
