/**
 * The sweep (periodic, at start-up, and `POST /reconcile`): applies deadlines, re-checks recent
 * versions against the registry (lost webhooks, unannounced rebuilds, deleted tags), retries what
 * is unfinished, copies referrers of recent publications, and re-pushes moving tags that drifted.
 */
import type { ImageConfig } from '../config.ts'
import { decideVersion, expireVersion, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { versionPrefix } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import { copyReferrers } from './copy-referrers.ts'
import { processVersion } from './process-version.ts'
import { pushMovingTags } from './push-moving-tags.ts'
import { reconcileMovingTags, reconcileVersion } from './reconcile.ts'

/** What one sweep did. */
export interface SweepReport {
  versionsChecked: number
  versionsProcessed: number
  referrersCopied: number
  failures: number
}

/** Runs one sweep over every configured image. */
export async function sweep(deps: Deps): Promise<SweepReport> {
  const report: SweepReport = { versionsChecked: 0, versionsProcessed: 0, referrersCopied: 0, failures: 0 }
  for (const image of deps.config.images) {
    try {
      await sweepImage(deps, image, report)
    } catch (error) {
      report.failures++
      deps.log.error('sweep failed for image', { image: image.name, error })
    }
  }
  return report
}

async function sweepImage(deps: Deps, image: ImageConfig, report: SweepReport): Promise<void> {
  for (const key of await deps.store.list(versionPrefix(image.name))) {
    const loaded = (await deps.store.load(key))?.value as VersionState | undefined
    if (!loaded) continue
    report.versionsChecked++
    const state = (await applyDeadline(deps, image, key, loaded)) ?? loaded
    const recent = isRecent(deps, state)
    const changed = recent || isUnfinished(image, state) ? await reconcileVersion(deps, image, state, { full: true }) : false
    if (changed || isUnfinished(image, state)) {
      report.versionsProcessed++
      await processVersion(deps, image, state.version)
    }
    if (image.referrers && recent) report.referrersCopied += await copyReferrersOf(deps, image, key)
  }
  // Drifted tags are marked unpushed in the ledger; pushMovingTags pushes whatever is unpushed.
  await reconcileMovingTags(deps, image)
  await pushMovingTags(deps, image)
}

async function applyDeadline(deps: Deps, image: ImageConfig, key: string, state: VersionState): Promise<VersionState | undefined> {
  const deadline = image.deadline
  if (!deadline || state.expired) return undefined
  const now = deps.now().toISOString()
  const result = await updateState<VersionState>(deps.store, key, (current) => current && expireVersion(current, deadline.action, deadline.ms, now))
  if (result.changed) deps.log.warn('version passed its deadline', { image: image.name, version: state.version, action: deadline.action })
  return result.value
}

async function copyReferrersOf(deps: Deps, image: ImageConfig, key: string): Promise<number> {
  const state = (await deps.store.load(key))?.value as VersionState | undefined
  return state?.publication ? copyReferrers(deps, image, state) : 0
}

function isRecent(deps: Deps, state: VersionState): boolean {
  return deps.now().getTime() - Date.parse(state.updatedAt) <= deps.config.server.reconcileWindowHours * 3_600_000
}

/** True when `state` has unresolved arrivals or is ready to publish. */
export function isUnfinished(image: ImageConfig, state: VersionState): boolean {
  const decision = decideVersion(state, image.targetNames)
  if (decision.kind === 'ready') return true
  return (decision.kind === 'waiting' || decision.kind === 'stale') && decision.pending.length > 0
}
