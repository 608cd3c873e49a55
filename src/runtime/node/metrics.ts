/**
 * The metrics port on Node, backed by prom-client: one registry per server holding every metric
 * of the catalog (src/metrics.ts), the work waiting in the task queue as a gauge read at scrape
 * time, and a fetch wrapper that counts registry requests by method and status class. `GET /metrics`
 * answers whoever may read `/status` (the admin bearer token when one is set).
 */
import type { App } from '../../app.ts'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Deps } from '../../deps.ts'
import { requireStatusAccess } from '../../http/status-access.ts'
import { formatStatusClass, METRICS, type CounterName, type HistogramName, type Metrics } from '../../metrics.ts'

/** The metrics of one server and the text `GET /metrics` answers with. */
export interface NodeMetrics {
  metrics: Metrics
  /** Counts every request made through it (the registry client's fetch). */
  countRequests(fetch: typeof globalThis.fetch): typeof globalThis.fetch
  /** The Prometheus text exposition and its content type. */
  render(): Promise<{ text: string; contentType: string }>
}

/** Creates the registry; `waiting` reads the work queued but not started yet. */
export function createNodeMetrics(options: { waiting: () => number }): NodeMetrics {
  const registry = new Registry()
  const histograms = new Map<string, Histogram>()
  // Counts accumulate here, one map lookup per event, and reach prom-client when scraped (collect):
  // prom-client's inc() hashes and validates the label object on every call, a webhook's hottest cost.
  const pending = new Map<string, Map<string, { labels: Record<string, string>; count: number }>>()
  for (const [key, spec] of Object.entries(METRICS)) {
    const common = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] }
    if (spec.type === 'counter') {
      const counts = new Map<string, { labels: Record<string, string>; count: number }>()
      pending.set(key, counts)
      new Counter({
        ...common,
        collect() {
          for (const entry of counts.values()) {
            if (entry.count > 0) this.inc(entry.labels, entry.count)
            entry.count = 0
          }
        },
      })
    } else histograms.set(key, new Histogram({ ...common, buckets: [...spec.buckets] }))
  }
  new Gauge({
    name: 'manifest_hook_work_waiting',
    help: 'Work items queued and not started yet.',
    registers: [registry],
    collect() {
      this.set(options.waiting())
    },
  })
  const metrics: Metrics = {
    count: (name: CounterName, labels) => {
      const counts = pending.get(name)
      if (!counts) return
      const values: Record<string, string> = labels
      let key = ''
      for (const label of METRICS[name].labels) key += `${values[label]}\u0000`
      const entry = counts.get(key)
      if (entry) entry.count++
      else counts.set(key, { labels: { ...values }, count: 1 })
    },
    observe: (name: HistogramName, value, labels) => histograms.get(name)?.observe(labels, value),
  }
  return {
    metrics,
    countRequests: (fetch) => async (input, init) => {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
      let status: number | undefined
      try {
        const response = await fetch(input, init)
        status = response.status
        return response
      } finally {
        metrics.count('registryRequests', { method: method.toUpperCase(), status_class: formatStatusClass(status) })
      }
    },
    render: async () => ({ text: await registry.metrics(), contentType: registry.contentType }),
  }
}

/** Adds `GET /metrics` to the app, readable by whoever may read `/status`. */
export function serveMetrics(app: App, deps: Deps, metrics: NodeMetrics): void {
  app.get('/metrics', async (c) => {
    await requireStatusAccess(deps.config, c.req.header('authorization'), new URL(c.req.url).host)
    const { text, contentType } = await metrics.render()
    return c.body(text, 200, { 'content-type': contentType })
  })
}
