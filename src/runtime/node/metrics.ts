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
  const counters = new Map<string, Counter>()
  const histograms = new Map<string, Histogram>()
  for (const [key, spec] of Object.entries(METRICS)) {
    const common = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] }
    if (spec.type === 'counter') counters.set(key, new Counter(common))
    else histograms.set(key, new Histogram({ ...common, buckets: [...spec.buckets] }))
  }
  new Gauge({
    name: 'manifest_hook_work_waiting',
    help: 'Work items queued and not started yet.',
    registers: [registry],
    collect() {
      this.set(options.waiting())
    },
  })
  // prom-client hashes the label object on every inc(); each label set's child is looked up once.
  const children = new Map<string, { inc(): void }>()
  const metrics: Metrics = {
    count: (name: CounterName, labels) => {
      const key = `${name}\u0000${Object.values(labels).join('\u0000')}`
      let child = children.get(key)
      if (!child) {
        const counter = counters.get(name)
        if (!counter) return
        child = counter.labels(labels)
        children.set(key, child)
      }
      child.inc()
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
