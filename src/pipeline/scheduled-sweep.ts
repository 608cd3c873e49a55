/**
 * The periodic sweep as a plain function a runtime's scheduler calls (setInterval on Node, an
 * EventBridge schedule on Lambda, a Cron Trigger on Workers), in slices that fit one call: it
 * records the sweep's start, then fans out one `sweep` work item per image; a call that runs out
 * of its budget (deps.budget) hands the rest on as a work item, the fan-out after the last image
 * it handed out, an image's sweep after the last version it finished.
 */
import type { ImageConfig } from '../config.ts'
import type { Deps } from '../deps.ts'
import { metricsOf } from '../metrics.ts'
import { unreachableKey } from '../state/store.ts'
import { meterBudget } from './budget-meter.ts'
import { pickDiscoverySlice } from './sweep-discovery.ts'
import { loadSweepRecord, recordScheduledSweep, type SweepReport } from './sweep-record.ts'
import { isFullSweepDue, sweepImage } from './sweep.ts'

// A registry found down while listing tags is not listed by other images' items for this long
// (one sweep's fan-out); a later sweep tries again.
const UNREACHABLE_MS = 60_000

/** What a scheduler calls: starts a sweep, full when one is due by the sweep record. */
export async function runScheduledSweep(deps: Deps): Promise<void> {
  await startSweep(deps, isFullSweepDue(deps, (await loadSweepRecord(deps))?.lastFullAt))
}

/** Records a sweep's start (and the discovery cursor's move) and fans it out. */
export async function startSweep(deps: Deps, full: boolean): Promise<void> {
  const images = deps.config.images
  const discoveryStart = (await loadSweepRecord(deps))?.discoveryCursor ?? 0
  const next = full && deps.config.server.discoverVersions ? pickDiscoverySlice(images, discoveryStart, deps.config.server.discoverImagesPerSweep).next : undefined
  await recordScheduledSweep(deps, { at: deps.now().toISOString(), full, discoveryStart }, next)
  await fanOutSweep(deps, { full })
}

/**
 * Enqueues one item per image after `after` (configuration order), as many as the budget allows
 * (an enqueue may be a request: Lambda invokes itself), then hands the rest on.
 */
export async function fanOutSweep(deps: Deps, options: { full: boolean; after?: string }): Promise<void> {
  const images = deps.config.images
  const from = options.after === undefined ? 0 : images.findIndex((image) => image.name === options.after) + 1
  if (from === 0 && options.after !== undefined) return deps.log.warn('sweep fan-out resumes after an image no longer configured; the next sweep covers it', { after: options.after })
  const listing = await discoveryNames(deps, options.full)
  let enqueued = 0
  for (const image of images.slice(from)) {
    if (enqueued > 0 && (enqueued >= deps.budget.requests || deps.now().getTime() >= deps.budget.deadline)) {
      return deps.work.enqueue({ kind: 'sweep', full: options.full, after: (images[from + enqueued - 1] as ImageConfig).name })
    }
    await deps.work.enqueue({ kind: 'sweep', image: image.name, full: options.full, ...(listing.has(image.name) ? { discover: true } : {}) })
    enqueued++
  }
}

// The images this sweep lists tags for: the slice at the cursor the sweep started with.
async function discoveryNames(deps: Deps, full: boolean): Promise<Set<string>> {
  if (!full || !deps.config.server.discoverVersions) return new Set()
  const start = (await loadSweepRecord(deps))?.scheduled?.discoveryStart ?? 0
  return pickDiscoverySlice(deps.config.images, start, deps.config.server.discoverImagesPerSweep).names
}

/** One image's slice of a sweep: from the version after `after`, within the budget; hands the rest on. */
export async function sweepImageSlice(deps: Deps, image: ImageConfig, options: { full: boolean; discover: boolean; after?: string }): Promise<SweepReport> {
  const started = performance.now()
  const meter = meterBudget(deps)
  const report: SweepReport = { full: options.full, versionsDiscovered: 0, versionsChecked: 0, versionsProcessed: 0, referrersCopied: 0, failures: 0 }
  const registry = image.from.registry
  const unreachable = new Set<string>()
  const breaker = options.discover ? await deps.store.load(unreachableKey(registry)) : undefined
  if (breaker) unreachable.add(registry)
  const next = await sweepImage(meter.deps, image, report, { discover: options.discover, unreachable, outOfBudget: meter.exhausted, ...(options.after === undefined ? {} : { after: options.after }) })
  if (!breaker && unreachable.has(registry)) {
    await deps.store.save(unreachableKey(registry), { at: deps.now().toISOString() }, 0, { expiresAt: deps.now().getTime() + UNREACHABLE_MS })
  }
  if (next !== undefined) await deps.work.enqueue({ kind: 'sweep', image: image.name, full: options.full, after: next })
  metricsOf(deps).observe('sweepDuration', (performance.now() - started) / 1000, { full: String(options.full) })
  if (report.versionsProcessed > 0 || report.versionsDiscovered > 0) deps.log.info('swept image', { image: image.name, ...report, ...(next ? { handedOnAfter: next } : {}) })
  return report
}
