/**
 * The sweep: finds versions that are not finished (arrivals still pending, complete but not
 * published, a failed publish) and moving tags not yet pushed, and processes them again.
 * Runtimes call it on a schedule and at start-up, so a crash or a failed publish heals itself.
 */
import type { ImageConfig } from '../config.ts'
import { unpushedTags, type ImageState } from '../core/image-state.ts'
import { decideVersion, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { imageKey, versionPrefix } from '../state/store.ts'
import { processVersion } from './process-version.ts'
import { pushMovingTags } from './push-moving-tags.ts'

/** What one sweep did. */
export interface SweepReport {
  versionsChecked: number
  versionsProcessed: number
  failures: number
}

/** Runs one sweep over every configured image. */
export async function sweep(deps: Deps): Promise<SweepReport> {
  const report: SweepReport = { versionsChecked: 0, versionsProcessed: 0, failures: 0 }
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
    const state = (await deps.store.load(key))?.value as VersionState | undefined
    report.versionsChecked++
    if (!state || !isUnfinished(state)) continue
    report.versionsProcessed++
    await processVersion(deps, image, state.version)
  }
  const tags = (await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined
  if (tags && unpushedTags(tags).length > 0) await pushMovingTags(deps, image)
}

function isUnfinished(state: VersionState): boolean {
  const decision = decideVersion(state)
  if (decision.kind === 'ready') return true
  return decision.kind === 'waiting' && decision.pending.length > 0
}
