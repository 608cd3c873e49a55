/**
 * Brings one image version forward: resolve the arrivals still pending, decide, and publish when
 * complete. Run for a `process` work item after every arrival and by the sweep; safe to run any number of
 * times, concurrently or after a crash, because every step is idempotent and versioned.
 */
import type { ImageConfig } from '../config.ts'
import { isArrivalDue, markArrivalFailed, type RetryPolicy } from '../core/arrival-retry.ts'
import { applyResolution, decideVersion, markFailed, type Arrival, type Resolution, type VersionDecision, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { isTemporaryRegistryError } from '../registry/errors.ts'
import { metricsOf } from '../metrics.ts'
import { versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import { notify } from './notify.ts'
import { createPhaseTimer, reportPublish, type PhaseTimer } from './publish-report.ts'
import { publishVersion } from './publish-version.ts'
import { pushMovingTags } from './push-moving-tags.ts'
import { resolveArrival } from './resolve-arrival.ts'
import { runSerially } from './run-serially.ts'

/**
 * Processes `image:version`; returns where it stands afterwards (undefined when unknown). A run
 * beside another run of the same version in this isolate (a sweep while its `process` item copies
 * a child) waits for that one and reads what it left, instead of resolving and copying again.
 */
export function processVersion(deps: Deps, image: ImageConfig, version: string): Promise<VersionDecision | undefined> {
  const key = versionKey(image.name, version)
  return runSerially(deps.store, key, () => processNow(deps, image, version, key))
}

async function processNow(deps: Deps, image: ImageConfig, version: string, key: string): Promise<VersionDecision | undefined> {
  const loaded = (await deps.store.load(key))?.value as VersionState | undefined
  if (!loaded) return undefined
  const timer = createPhaseTimer()
  const state = await resolvePending(deps, image, loaded, timer)
  const decision = decideVersion(state, image.targetNames)
  try {
    if (decision.kind === 'ready') {
      await timer.time('push', () => publishVersion(deps, image, state, decision.children, decision.partial))
      await reportPublish(deps, image, version, timer)
    }
    if (decision.kind === 'published') await pushMovingTags(deps, image)
  } catch (error) {
    metricsOf(deps).count('failures', { image: image.name, stage: 'publish' })
    await recordFailure(deps, key, error)
    deps.log.error('publish failed; the sweep will retry', { image: image.name, version, error })
  }
  return decision
}

async function resolvePending(deps: Deps, image: ImageConfig, state: VersionState, timer: PhaseTimer): Promise<VersionState> {
  // An arrival that failed waits for its retry time (backoff); an unresolvable one is not pending.
  const checkedAt = deps.now().toISOString()
  const pending = Object.entries(state.arrivals).filter(([, arrival]) => isArrivalDue(arrival, checkedAt))
  if (pending.length === 0) return state
  const key = versionKey(image.name, state.version)
  const outcomes = await Promise.all(pending.map(([platform, arrival]) => timer.time('resolve', () => resolveOne(deps, image, state.version, platform, arrival, timer))))
  let latest = state
  for (const [i, outcome] of outcomes.entries()) {
    const [platform, arrival] = pending[i] as [string, Arrival]
    const now = deps.now().toISOString()
    // Each update returns the stored value it saw or wrote, so the last one is the newest state.
    const change = (current: VersionState | undefined) =>
      current && (outcome.kind === 'failed' ? markArrivalFailed(current, platform, arrival.seq, { message: errorMessage(outcome.error), temporary: isTemporaryRegistryError(outcome.error) }, now, retryPolicyOf(deps)) : applyResolution(current, platform, arrival.seq, outcome, now))
    // What the registry said: a power cut before the next durable write only means asking again.
    const updated = (await updateState<VersionState>(deps.store, key, change, { save: { durable: false } })).value
    const failed = updated?.arrivals[platform]
    if (outcome.kind === 'failed' && failed?.status === 'unresolvable' && failed.seq === arrival.seq) {
      deps.log.warn('arch tag is unresolvable; no more attempts until it is pushed again', { image: image.name, platform, source: arrival.source, attempts: failed.attempts })
    }
    latest = updated ?? latest
  }
  return latest
}

type Outcome = Resolution | { kind: 'failed'; error: unknown }

async function resolveOne(deps: Deps, image: ImageConfig, version: string, platform: string, arrival: Arrival, timer: PhaseTimer): Promise<Outcome> {
  const expected = image.platforms.find((p) => p.key === platform)
  if (!expected) return { kind: 'refused', reason: `${platform} is no longer configured for this image` }
  try {
    const resolution = await resolveArrival(deps, image, expected, version, arrival, timer)
    if (resolution.kind === 'refused') {
      metricsOf(deps).count('refusals', { image: image.name, platform })
      const event = { type: 'refused' as const, image: image.name, version, platform, reason: resolution.reason, at: deps.now().toISOString() }
      await notify(deps, event, `refused|${image.name}|${version}|${platform}|${resolution.tagDigest ?? resolution.reason}`)
      deps.log.warn('refused arch image', { image: image.name, platform, source: arrival.source, reason: resolution.reason })
    }
    return resolution
  } catch (error) {
    metricsOf(deps).count('failures', { image: image.name, stage: 'resolve' })
    deps.log.error('could not resolve arch tag; the sweep will retry', { image: image.name, platform, source: arrival.source, error })
    return { kind: 'failed', error }
  }
}

// Failed attempts of a version (each sweep retries once) before "failing" is announced.
const FAILING_AFTER_ATTEMPTS = 3

async function recordFailure(deps: Deps, key: string, error: unknown): Promise<VersionState | undefined> {
  const message = errorMessage(error)
  const state = (await updateState<VersionState>(deps.store, key, (current) => current && markFailed(current, message, deps.now().toISOString()))).value
  if (state?.failure?.attempts === FAILING_AFTER_ATTEMPTS) {
    const event = { type: 'failing' as const, image: state.image, version: state.version, reason: message, attempts: FAILING_AFTER_ATTEMPTS, at: state.failure.at }
    await notify(deps, event, `failing|${state.image}|${state.version}`)
  }
  return state
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The image-independent retry limits of arrivals, from `server.*`. */
export function retryPolicyOf(deps: Deps): RetryPolicy {
  const { unresolvableAfterAttempts, unresolvableAfterHours } = deps.config.server
  return { attempts: unresolvableAfterAttempts, maxAgeMs: unresolvableAfterHours * 3_600_000 }
}
