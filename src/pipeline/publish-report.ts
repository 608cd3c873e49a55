/**
 * What a publish reports: one JSON log line (image, version, digest, tags, time per phase), the
 * publish metrics, including how long after the last arch's arrival `latest` named the index, and
 * the notification.
 */
import type { ImageConfig } from '../config.ts'
import type { ImageState } from '../core/image-state.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { metricsOf } from '../metrics.ts'
import { imageKey, versionKey } from '../state/store.ts'
import { notify } from './notify.ts'

export type Phase = 'resolve' | 'copy' | 'push'

/**
 * Time per phase of one processing run, in ms: resolve and copy summed over the arches this run
 * resolved (they run concurrently; arches that arrived earlier were resolved and copied in their
 * own runs), push as the wall time of PUTting the index and its tags.
 */
export interface PhaseTimer {
  time<T>(phase: Phase, work: () => Promise<T>): Promise<T>
  /** Moves `ms` from one phase to another (an inner phase inside an outer one's timing). */
  move(ms: number, from: Phase, to: Phase): void
  read(): Record<`${Phase}Ms`, number>
}

/** Creates an empty timer (performance.now: durations, not instants, so not the app's clock). */
export function createPhaseTimer(): PhaseTimer {
  const totals: Record<Phase, number> = { resolve: 0, copy: 0, push: 0 }
  return {
    async time(phase, work) {
      const started = performance.now()
      try {
        return await work()
      } finally {
        totals[phase] += performance.now() - started
      }
    },
    move(ms, from, to) {
      totals[from] -= ms
      totals[to] += ms
    },
    read: () => ({ resolveMs: round(totals.resolve), copyMs: round(totals.copy), pushMs: round(totals.push) }),
  }
}

/** Logs and counts the publish of `image:version` that just succeeded. */
export async function reportPublish(deps: Deps, image: ImageConfig, version: string, timer: PhaseTimer): Promise<void> {
  const state = (await deps.store.load(versionKey(image.name, version)))?.value as VersionState | undefined
  const publication = state?.publication
  if (!state || !publication) return
  const { digest, tags, targets, partial } = publication
  deps.log.info('publish', { image: image.name, version, digest, tags, targets, partial, phases: timer.read() })
  metricsOf(deps).count('publishes', { image: image.name, kind: partial ? 'partial' : 'complete' })
  const type = partial ? 'partial' : 'published'
  await notify(deps, { type, image: image.name, version, at: publication.at, digest, tags }, `${type}|${image.name}|${version}|${digest}`)
  const latest = ((await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined)?.tags.latest
  const lastArrival = Math.max(...Object.values(state.arrivals).map((a) => Date.parse(a.receivedAt)))
  if (latest?.digest === digest && image.targetNames.every((t) => latest.pushed.includes(t)) && Number.isFinite(lastArrival)) {
    metricsOf(deps).observe('latestDelay', Math.max(0, deps.now().getTime() - lastArrival) / 1000, {})
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
