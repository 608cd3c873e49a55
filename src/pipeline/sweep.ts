/**
 * The sweep: finishes what the ledger says is unfinished (pending arrivals, versions ready to
 * publish, unpushed moving tags), applies deadlines, HEADs the arch tags that versions changed in
 * the last hour still lack (a lost webhook) and copies referrers of the last hour's publications;
 * when nothing is unfinished it asks the registry nothing, and it looks only at versions created
 * within the reconcile window. A full sweep (`POST /reconcile`, and once per
 * `reconcileIntervalSeconds`) looks at every version, re-checks what looks finished against the
 * registry (unannounced rebuilds, deleted or overwritten tags), copies referrers of recent
 * publications, lists tags for versions no webhook announced and applies `server.retention`.
 */
import type { ImageConfig } from '../config.ts'
import { isArrivalDue } from '../core/arrival-retry.ts'
import { decideVersion, expireVersion, type VersionState } from '../core/version-state.ts'
import { decideVersionTag } from '../core/version-tags.ts'
import type { Deps } from '../deps.ts'
import { metricsOf } from '../metrics.ts'
import { notify } from './notify.ts'
import { listKeys, parseRecentKey, recentPrefix, versionKey, versionPrefix } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import { copyReferrers } from './copy-referrers.ts'
import { processVersion } from './process-version.ts'
import { pruneVersions } from './prune-versions.ts'
import { pushMovingTags } from './push-moving-tags.ts'
import { reconcileMovingTags, reconcileVersion } from './reconcile.ts'
import { chooseDiscovery, discoverOrNothing } from './sweep-discovery.ts'
import { runLimited } from './run-limited.ts'
import { recordSweep, type SweepReport } from './sweep-record.ts'

const IMAGES_AT_ONCE = 8

/** Runs one sweep (full unless `full: false`) over every configured image, and records it; or over `image` alone. */
export async function sweep(deps: Deps, options: { full?: boolean; image?: ImageConfig } = {}): Promise<SweepReport> {
  const at = deps.now().toISOString()
  const started = performance.now()
  const report: SweepReport = { full: options.full ?? true, versionsDiscovered: 0, versionsChecked: 0, versionsProcessed: 0, referrersCopied: 0, failures: 0 }
  const images = options.image ? [options.image] : deps.config.images
  const slice = report.full && deps.config.server.discoverVersions ? await chooseDiscovery(deps, images) : undefined
  const discovery = { names: slice?.names ?? new Set<string>(), unreachable: new Set<string>() }
  // Several images at once: a full sweep waits on the registry for each (listing, HEADs), and
  // thousands of images one after the other would take longer than the interval between sweeps.
  await runLimited(images, IMAGES_AT_ONCE, async (image) => {
    try {
      await sweepImage(deps, image, report, { discover: discovery.names.has(image.name), unreachable: discovery.unreachable })
    } catch (error) {
      report.failures++
      deps.log.error('sweep failed for image', { image: image.name, error })
    }
  })
  // One image's sweep does not stand for all of them: the record (and the pace of full sweeps) is left as it is.
  if (!options.image) await recordSweep(deps, report, at, slice?.next)
  metricsOf(deps).observe('sweepDuration', (performance.now() - started) / 1000, { full: String(report.full) })
  return report
}

/**
 * Whether the periodic sweep is a full one: no full sweep within `reconcileIntervalSeconds` by the
 * sweep record. The pace lives in the store, so a restart (or a fresh serverless instance) keeps
 * it instead of starting with a full sweep.
 */
export function isFullSweepDue(deps: Deps, lastFullAt: string | undefined): boolean {
  const elapsed = lastFullAt === undefined ? Number.POSITIVE_INFINITY : deps.now().getTime() - Date.parse(lastFullAt)
  // A clock set back makes the last full sweep look like the future: run one now.
  return elapsed < 0 || elapsed >= deps.config.server.reconcileIntervalSeconds * 1000
}

/** How one image is swept: whether it lists tags, where it resumes, and when it must stop. */
export interface ImageSweepOptions {
  discover: boolean
  /** Registries found down during this sweep: not listed again. */
  unreachable: Set<string>
  /** Resume after this version key (a slice handed on). */
  after?: string
  /** Checked after each version; true stops the sweep there. */
  outOfBudget?: () => boolean
}

/**
 * Sweeps one image's versions (after `options.after`), then its moving tags; returns the version
 * key to resume after when `outOfBudget` stopped it (at least one version is done per call).
 */
export async function sweepImage(deps: Deps, image: ImageConfig, report: SweepReport, options: ImageSweepOptions): Promise<string | undefined> {
  // Images are swept concurrently: add counts after the await (`x += await y` reads x before it).
  const discovered = options.discover && options.after === undefined ? await discoverOrNothing(deps, image, options.unreachable) : 0
  report.versionsDiscovered += discovered
  let done: string | undefined
  for (const key of await listSweptVersions(deps, image, report.full)) {
    if (options.after !== undefined && key <= options.after) continue
    if (done !== undefined && options.outOfBudget?.()) return done
    done = key
    const loaded = (await deps.store.load(key))?.value as VersionState | undefined
    // A ledger recorded before the version rule (a per-arch `latest`) is left alone, not republished.
    if (!loaded || !decideVersionTag(image, loaded.version).ok) continue
    report.versionsChecked++
    const state = (await applyDeadline(deps, image, key, loaded)) ?? loaded
    const changed = await reconcileIfDue(deps, image, state, report.full)
    const processed = changed || isUnfinished(image, state, deps.now().toISOString())
    if (processed) {
      report.versionsProcessed++
      await processVersion(deps, image, state.version)
    }
    // A version this sweep just published has new children whose referrers are due too.
    const copied = image.referrers && (processed || areReferrersDue(deps, state, report.full)) ? await copyDueReferrers(deps, image, key, report.full) : 0
    report.referrersCopied += copied
  }
  // Drifted tags are marked unpushed in the ledger; pushMovingTags pushes whatever is unpushed.
  if (report.full) await reconcileMovingTags(deps, image)
  await pushMovingTags(deps, image)
  const retention = deps.config.server.retention
  if (report.full && retention) await pruneVersions(deps, image, retention)
  return undefined
}

// A full sweep loads every version ledger; a light one those created within the reconcile window
// (by their recent/ markers), so its cost does not grow with years of history. Older versions with
// work left (an arrival that kept failing for days, a late rebuild) are the full sweep's.
async function listSweptVersions(deps: Deps, image: ImageConfig, full: boolean): Promise<string[]> {
  if (full) return listKeys(deps.store, versionPrefix(image.name))
  const cutoff = new Date(deps.now().getTime() - deps.config.server.reconcileWindowHours * 3_600_000).toISOString()
  const prefix = recentPrefix(image.name)
  // Markers sort by creation time: a range scan from the cutoff reads only the window's.
  const markers = await listKeys(deps.store, prefix, { from: `${prefix}${cutoff}` })
  return [...new Set(markers.map((marker) => versionKey(image.name, parseRecentKey(image.name, marker).version)))].sort()
}

// A light sweep looks only at what changed within the last hour: the arches of one build and the
// signatures made after it usually arrive within minutes, so HEADs for a build abandoned half-way
// stop after an hour. Older changes, up to reconcileWindowHours, are the full sweep's.
const FRESH_MS = 3_600_000

// Full: recent or unfinished versions, every arch tag and published tag. Light: only the arch tags
// a fresh version without a complete publication still lacks.
async function reconcileIfDue(deps: Deps, image: ImageConfig, state: VersionState, full: boolean): Promise<boolean> {
  if (full) return (isRecent(deps, state.updatedAt) || isUnfinished(image, state, deps.now().toISOString())) && reconcileVersion(deps, image, state, { full: true })
  const incomplete = !state.publication || state.publication.partial
  return isFresh(deps, state.updatedAt) && incomplete && reconcileVersion(deps, image, state, { full: false })
}

function areReferrersDue(deps: Deps, state: VersionState, full: boolean): boolean {
  if (!state.publication) return false
  return full ? isRecent(deps, state.updatedAt) : isFresh(deps, state.publication.at)
}

function isFresh(deps: Deps, at: string): boolean {
  return deps.now().getTime() - Date.parse(at) <= FRESH_MS
}

async function applyDeadline(deps: Deps, image: ImageConfig, key: string, state: VersionState): Promise<VersionState | undefined> {
  const deadline = image.deadline
  if (!deadline || state.expired) return undefined
  const now = deps.now().toISOString()
  const result = await updateState<VersionState>(deps.store, key, (current) => current && expireVersion(current, deadline.action, deadline.ms, now))
  if (result.changed) deps.log.warn('version passed its deadline', { image: image.name, version: state.version, action: deadline.action })
  if (result.changed && deadline.action === 'stale') {
    const missing = state.expected.filter((p) => state.arrivals[p]?.status !== 'ready')
    await notify(deps, { type: 'stale', image: image.name, version: state.version, missing, at: now }, `stale|${image.name}|${state.version}`)
  }
  return result.value
}

async function copyDueReferrers(deps: Deps, image: ImageConfig, key: string, full: boolean): Promise<number> {
  const state = (await deps.store.load(key))?.value as VersionState | undefined
  return state && areReferrersDue(deps, state, full) ? copyReferrers(deps, image, state) : 0
}

function isRecent(deps: Deps, at: string): boolean {
  return deps.now().getTime() - Date.parse(at) <= deps.config.server.reconcileWindowHours * 3_600_000
}

/** True when `state` has arrivals due to be resolved at `now` or is ready to publish. */
export function isUnfinished(image: ImageConfig, state: VersionState, now: string): boolean {
  const decision = decideVersion(state, image.targetNames)
  if (decision.kind === 'ready') return true
  return (decision.kind === 'waiting' || decision.kind === 'stale') && decision.pending.some((platform) => {
    const arrival = state.arrivals[platform]
    return arrival !== undefined && isArrivalDue(arrival, now)
  })
}
