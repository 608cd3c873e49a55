/**
 * Observes every webhook delivery: one JSON log line (delivery id, source, outcome, duration) and
 * the `deliveries` counter. Runs as middleware around `POST /webhooks/*`, so it sees the response
 * the error mapping produced as well.
 */
import type { Deps } from '../deps.ts'
import { clipText } from '../log.ts'
import { metricsOf } from '../metrics.ts'
import { findSource } from '../sources/source-table.ts'

export type DeliveryOutcome = 'accepted' | 'ignored' | 'unauthorized' | 'unknown' | 'invalid' | 'failed'

// Where senders put their own delivery id (GitHub, Gitea/Forgejo, Nexus, CloudEvents, Standard
// Webhooks); other deliveries get a generated one, so log lines of one delivery still join.
const DELIVERY_ID_HEADERS = ['x-github-delivery', 'x-gitea-delivery', 'x-nexus-webhook-delivery', 'ce-id', 'webhook-id', 'x-request-id']

/** What the middleware reads of Hono's context (kept structural: hono stays in app.ts). */
interface DeliveryContext {
  req: { path: string; raw: Request }
  res: Response
}

/** The middleware; `deps.log` gets the line, `deps.metrics` the count. */
export function observeDeliveries(deps: Deps) {
  const generateId = createIdSequence()
  return async (c: DeliveryContext, next: () => Promise<void>): Promise<void> => {
    const started = performance.now()
    await next()
    const durationMs = Math.round((performance.now() - started) * 10) / 10
    const name = c.req.path.split('/')[2] ?? ''
    // Unknown names are one label value: a stranger cannot grow the metric's series.
    const source = findSource(name) ? name : 'unknown'
    const counts = c.res.status === 202 ? reportedCounts.get(c.req.raw) : undefined
    const outcome = formatOutcome(c.res.status, counts)
    metricsOf(deps).count('deliveries', { source, outcome })
    const fields = { deliveryId: readDeliveryId(c.req.raw.headers) ?? generateId(), source, outcome, status: c.res.status, durationMs, ...counts }
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

// What the route reported, by request: re-reading the 202 body (response.clone().json()) would
// build the web Response that @hono/node-server otherwise writes straight from its string.
const reportedCounts = new WeakMap<Request, { accepted: number; ignored: number }>()

/** Called by the webhook route with its report, for the delivery's log line and counter. */
export function noteDeliveryReport(request: Request, report: { accepted: unknown[]; ignored: unknown[] }): void {
  reportedCounts.set(request, { accepted: report.accepted.length, ignored: report.ignored.length })
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
