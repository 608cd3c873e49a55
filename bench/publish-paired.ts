// BENCH_BASELINE=<another checkout, built>: our publish latency against that build's. Separate runs
// on this VM drift by ±25 % within minutes, so here two stacks (registry, counting proxy, server)
// run side by side and publishes alternate between them (A B B A …); each version's latency is
// paired with the other build's publish of the same scenario next to it.
import { median, percentile } from './report.ts'
import { runPublish, SCENARIOS, startStack, stopStack, type Stack } from './publish.ts'

/** One scenario published by both builds in alternation. */
export interface PairedPublishRow {
  scenario: string
  publishes: number
  ours: { latencyP50Ms: number; latencyP90Ms: number; requests: number }
  baseline: { latencyP50Ms: number; latencyP90Ms: number; requests: number }
  /** Median of the pairs' latency ratios (ours / baseline), and the ratio of the medians. */
  latencyRatioMedian: number
  latencyRatioOfMedians: number
}

/** Runs both scenarios on both builds, `publishes` measured versions each after `warmup` uncounted ones. */
export async function runPairedPublish(baseline: string, publishes: number, warmup: number): Promise<PairedPublishRow[]> {
  const stacks: Stack[] = []
  try {
    stacks.push(await startStack())
    stacks.push(await startStack(`${baseline}/dist/node.mjs`))
    const [ours, base] = stacks as [Stack, Stack]
    const rows: PairedPublishRow[] = []
    for (const scenario of SCENARIOS) {
      for (let i = 0; i < warmup; i++) for (const stack of stacks) await runPublish(stack, scenario, `v0.${i}.0`)
      const runs = { ours: [] as Run[], baseline: [] as Run[] }
      for (let i = 0; i < publishes; i++) {
        const order = i % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const)
        for (const name of order) runs[name].push(await runPublish(name === 'ours' ? ours : base, scenario, `v1.${i}.0`))
      }
      const side = (list: Run[]) => ({ latencyP50Ms: median(list.map((r) => r.latencyMs)), latencyP90Ms: percentile(list.map((r) => r.latencyMs), 90), requests: median(list.map((r) => r.requests)) })
      const o = side(runs.ours)
      const b = side(runs.baseline)
      rows.push({
        scenario: scenario.name,
        publishes,
        ours: o,
        baseline: b,
        latencyRatioMedian: median(runs.ours.map((r, i) => r.latencyMs / runs.baseline[i]!.latencyMs)),
        latencyRatioOfMedians: o.latencyP50Ms / b.latencyP50Ms,
      })
    }
    return rows
  } finally {
    for (const stack of stacks) await stopStack(stack)
  }
}

interface Run {
  requests: number
  latencyMs: number
}
