/**
 * Brings one image version forward: resolve the arrivals still pending, decide, and publish when
 * complete. Run for a `process` work item after every arrival and by the sweep; safe to run any number of
 * times, concurrently or after a crash, because every step is idempotent and versioned.
 */
import type { ImageConfig } from '../config.ts'
import { applyResolution, decideVersion, markFailed, type Arrival, type Resolution, type VersionDecision, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import { publishVersion } from './publish-version.ts'
import { pushMovingTags } from './push-moving-tags.ts'
import { resolveArrival } from './resolve-arrival.ts'

/** Processes `image:version`; returns where it stands afterwards (undefined when unknown). */
export async function processVersion(deps: Deps, image: ImageConfig, version: string): Promise<VersionDecision | undefined> {
  const key = versionKey(image.name, version)
  const loaded = (await deps.store.load(key))?.value as VersionState | undefined
  if (!loaded) return undefined
  const state = await resolvePending(deps, image, loaded)
  const decision = decideVersion(state, image.targetNames)
  try {
    if (decision.kind === 'ready') await publishVersion(deps, image, state, decision.children, decision.partial)
    if (decision.kind === 'published') await pushMovingTags(deps, image)
  } catch (error) {
    await recordFailure(deps, key, error)
    deps.log.error('publish failed; the sweep will retry', { image: image.name, version, error })
  }
  return decision
}

async function resolvePending(deps: Deps, image: ImageConfig, state: VersionState): Promise<VersionState> {
  const pending = Object.entries(state.arrivals).filter(([, arrival]) => arrival.status === 'pending')
  if (pending.length === 0) return state
  const key = versionKey(image.name, state.version)
  const outcomes = await Promise.all(pending.map(([platform, arrival]) => resolveOne(deps, image, state.version, platform, arrival)))
  let latest = state
  for (const [i, outcome] of outcomes.entries()) {
    const [platform, arrival] = pending[i] as [string, Arrival]
    const now = deps.now().toISOString()
    // Each update returns the stored value it saw or wrote, so the last one is the newest state.
    const updated = outcome.kind === 'failed'
      ? await recordFailure(deps, key, outcome.error)
      : (await updateState<VersionState>(deps.store, key, (current) => current && applyResolution(current, platform, arrival.seq, outcome, now))).value
    latest = updated ?? latest
  }
  return latest
}

type Outcome = Resolution | { kind: 'failed'; error: unknown }

async function resolveOne(deps: Deps, image: ImageConfig, version: string, platform: string, arrival: Arrival): Promise<Outcome> {
  const expected = image.platforms.find((p) => p.key === platform)
  if (!expected) return { kind: 'refused', reason: `${platform} is no longer configured for this image` }
  try {
    const resolution = await resolveArrival(deps, image, expected, version, arrival)
    if (resolution.kind === 'refused') {
      deps.log.warn('refused arch image', { image: image.name, platform, source: arrival.source, reason: resolution.reason })
    }
    return resolution
  } catch (error) {
    deps.log.error('could not resolve arch tag; the sweep will retry', { image: image.name, platform, source: arrival.source, error })
    return { kind: 'failed', error }
  }
}

async function recordFailure(deps: Deps, key: string, error: unknown): Promise<VersionState | undefined> {
  const message = error instanceof Error ? error.message : String(error)
  return (await updateState<VersionState>(deps.store, key, (current) => current && markFailed(current, message, deps.now().toISOString()))).value
}
