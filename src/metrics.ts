/**
 * The metrics port: a fixed catalog of counters and histograms that the pipeline and the HTTP
 * layer report to through `deps.metrics`. Web-standard and free of any client library: the Node
 * runtime backs it with prom-client (runtime/node/metrics.ts); runtimes without a scrape endpoint
 * leave it out, and `metricsOf` gives the no-op.
 */

interface MetricSpec {
  type: 'counter' | 'histogram'
  name: string
  help: string
  labels: readonly string[]
  /** Histogram bucket upper bounds, in the metric's unit. */
  buckets?: readonly number[]
}

const SECONDS_TO_HOURS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200]

/** Every metric the app reports, by the name the code uses. */
export const METRICS = {
  deliveries: { type: 'counter', name: 'manifest_hook_deliveries_total', help: 'Webhook deliveries by source and outcome (accepted, ignored, unauthorized, invalid, unknown, failed).', labels: ['source', 'outcome'] },
  publishes: { type: 'counter', name: 'manifest_hook_publishes_total', help: 'Versions published, by image and kind (complete, partial).', labels: ['image', 'kind'] },
  refusals: { type: 'counter', name: 'manifest_hook_refusals_total', help: 'Arch images refused (platform mismatch, unusable manifest), by image and platform.', labels: ['image', 'platform'] },
  failures: { type: 'counter', name: 'manifest_hook_failures_total', help: 'Failed attempts the sweep will retry, by image and stage (resolve, publish).', labels: ['image', 'stage'] },
  registryRequests: { type: 'counter', name: 'manifest_hook_registry_requests_total', help: 'Registry HTTP requests by method and status class (2xx, 3xx, 4xx, 5xx, error).', labels: ['method', 'status_class'] },
  latestDelay: { type: 'histogram', name: 'manifest_hook_latest_delay_seconds', help: 'Time from the arrival of the last arch of a version to latest naming its index.', labels: [], buckets: SECONDS_TO_HOURS },
  sweepDuration: { type: 'histogram', name: 'manifest_hook_sweep_duration_seconds', help: 'Duration of one sweep: of one image (a scheduled sweep runs as one work item per image), or of all images for POST /reconcile.', labels: ['full'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] },
} as const satisfies Record<string, MetricSpec>

type Catalog = typeof METRICS
type NamesOf<T extends MetricSpec['type']> = { [K in keyof Catalog]: Catalog[K]['type'] extends T ? K : never }[keyof Catalog]
export type CounterName = NamesOf<'counter'>
export type HistogramName = NamesOf<'histogram'>
/** The label values a metric takes, one per label name of its spec. */
export type LabelsOf<K extends keyof Catalog> = Record<Catalog[K]['labels'][number], string>

/** Where metrics go. */
export interface Metrics {
  count<K extends CounterName>(name: K, labels: LabelsOf<K>): void
  observe<K extends HistogramName>(name: K, value: number, labels: LabelsOf<K>): void
}

/** Reports nothing (runtimes without a metrics endpoint, tests). */
export const NO_METRICS: Metrics = { count: () => {}, observe: () => {} }

/** The metrics of `deps`, or the no-op when the runtime gave none. */
export function metricsOf(deps: { metrics?: Metrics }): Metrics {
  return deps.metrics ?? NO_METRICS
}

/** `2xx`… for an HTTP status, `error` when no response came back. */
export function formatStatusClass(status: number | undefined): string {
  return status === undefined ? 'error' : `${Math.floor(status / 100)}xx`
}
