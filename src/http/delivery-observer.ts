/**
 * Observes every webhook delivery: one JSON log line (delivery id, source, outcome, duration) and
 * the `deliveries` counter. The webhook route calls it with the response it answers, the error
 * mapping's included; a plain call, not middleware, so a delivery pays no extra dispatch step.
 */
import type { Deps } from '../deps.ts'
import { clipText } from '../log.ts'
import { metricsOf } from '../metrics.ts'
import { findSource } from '../sources/source-table.ts'

export type DeliveryOutcome = 'accepted' | 'ignored' | 'unauthorized' | 'unknown' | 'invalid' | 'failed'

// Where senders put their own delivery id (GitHub, Gitea/Forgejo, Nexus, CloudEvents, Standard
// Webhooks); other deliveries get a generated one, so log lines of one delivery still join.
const DELIVERY_ID_HEADERS = ['x-github-delivery', 'x-gitea-delivery', 'x-nexus-webhook-delivery', 'ce-id', 'webhook-id', 'x-request-id']

/** One answered delivery: the route's source name, the status, what it reported (202 only). */
export interface AnsweredDelivery {
  /** The `:source` of the route, as requested (an unknown one is counted under `unknown`). */
  source: string
  headers: Headers
  status: number
  report?: { accepted: unknown[]; ignored: unknown[] }
  /** performance.now() when the request reached the route. */
  startedAt: number
}

/** Returns the observer; `deps.log` gets the line, `deps.metrics` the count. */
export function createDeliveryObserver(deps: Deps): (delivery: AnsweredDelivery) => void {
  const generateId = createIdSequence()
  return ({ source: name, headers, status, report, startedAt }) => {
    const durationMs = Math.round((performance.now() - startedAt) * 10) / 10
    // Unknown names are one label value: a stranger cannot grow the metric's series.
    const source = findSource(name) ? name : 'unknown'
    const counts = status === 202 && report ? { accepted: report.accepted.length, ignored: report.ignored.length } : undefined
    const outcome = formatOutcome(status, counts)
    metricsOf(deps).count('deliveries', { source, outcome })
    const fields = { deliveryId: readDeliveryId(headers) ?? generateId(), source, outcome, status, durationMs, ...counts }
    // Refusals are already logged, rate-limited, by the refusal log; this line is for debugging them.
    if (outcome === 'accepted' || outcome === 'ignored') deps.log.info('delivery', fields)
    else if (outcome === 'failed') deps.log.warn('delivery', fields)
    else deps.log.debug('delivery', fields)
  }
}

/** Maps the answer to a delivery onto its outcome. */
export function formatOutcome(status: number, counts?: { accepted: number; ignored: number }): DeliveryOutcome {
  if (status === 202) return counts && counts.accepted > 0 ? 'accepted' : 'ignored'
  if (status === 401 || status === 403) return 'unauthorized'
  if (status === 404) return 'unknown'
  return status >= 500 ? 'failed' : 'invalid'
}

function readDeliveryId(headers: Headers): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = headers.get(name)
    if (value) return clipText(value, 128)
  }
  return undefined
}

/**
 * UUID-shaped ids for deliveries that bring none: one random UUID's first 80 bits, then a counter
 * in the last 48, so ids are unique within the process and unrelated across processes without
 * drawing 122 random bits for every delivery.
 */
export function createIdSequence(): () => string {
  const prefix = crypto.randomUUID().slice(0, 24)
  let next = 0
  return () => `${prefix}${(next++).toString(16).padStart(12, '0')}`
}
