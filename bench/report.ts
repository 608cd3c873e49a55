// Figures and the printed table of `npm run bench`.

export interface Side {
  runs: number
  requests: number
  latencyP50Ms: number
  latencyP99Ms: number
}

export interface ScenarioResult {
  scenario: string
  ours: Side
  docker: Side | undefined
}

/** Returns the median of `values`. */
export function median(values: number[]): number {
  return percentile(values, 50)
}

/** Returns the nearest-rank percentile of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] ?? Number.NaN
}

const ms = (value: number) => `${value.toFixed(1)} ms`

/** Prints one row per scenario: our figures, docker's, and the ratios. */
export function printTable(results: ScenarioResult[], withDocker: boolean): void {
  const rows = [['scenario', 'requests (ours)', 'latency p50 / p99 (ours)', 'requests (docker)', 'latency p50 (docker)', 'requests ratio', 'latency ratio']]
  for (const { scenario, ours, docker } of results) {
    rows.push([
      scenario,
      String(ours.requests),
      `${ms(ours.latencyP50Ms)} / ${ms(ours.latencyP99Ms)}`,
      docker ? String(docker.requests) : 'n/a',
      docker ? ms(docker.latencyP50Ms) : 'n/a',
      docker ? `${(docker.requests / ours.requests).toFixed(1)}x fewer` : 'n/a',
      docker ? `${(docker.latencyP50Ms / ours.latencyP50Ms).toFixed(1)}x faster` : 'n/a',
    ])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  console.log('\nmanifest-hook publish: 3 arches, version tag + latest (registry requests counted at a proxy)')
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '))
  if (!withDocker) console.log('\n(docker CLI not found: no docker manifest comparison in this run)')
  console.log('\nlatency: last per-arch webhook received -> `latest` PUT acknowledged (ours); first `docker manifest create` -> last push done (docker)')
}
