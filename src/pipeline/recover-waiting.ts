/**
 * "Any later event recovers a lost one": when a new version of an image starts arriving, the
 * image's most recent other unfinished versions (still waiting for an arch, or refused, and quiet
 * for a minute) are
 * re-checked against the registry with HEAD requests, so an arch whose webhook was lost is found
 * without waiting for the sweep. Bounded: at most MAX_CHECKED versions per new version.
 */
import type { ImageConfig } from '../config.ts'
import { decideVersion, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { listKeys, parseRecentKey, recentPrefix, versionKey } from '../state/store.ts'
import { processVersion } from './process-version.ts'
import { reconcileVersion } from './reconcile.ts'

const MAX_CHECKED = 3
const MAX_LOADED = 10
// Arches of one build usually arrive seconds apart: only a version quiet for a minute is suspect.
const MIN_QUIET_MS = 60_000

/** Re-checks the most recent unfinished versions of `image` other than `skip`, within the reconcile window. */
export async function recoverWaiting(deps: Deps, image: ImageConfig, skip: string[]): Promise<void> {
  const windowMs = deps.config.server.reconcileWindowHours * 3_600_000
  const unfinished: VersionState[] = []
  const recent = await listKeys(deps.store, recentPrefix(image.name), { descending: true, limit: MAX_LOADED + skip.length })
  for (const marker of recent) {
    const { createdAt, version } = parseRecentKey(image.name, marker)
    // Created within the last minute means changed within it too: not quiet, not worth a load.
    if (deps.now().getTime() - Date.parse(createdAt) < MIN_QUIET_MS) continue
    // Two deliveries racing to create a version may both leave a marker.
    if (unfinished.some((s) => s.version === version)) continue
    const state = (await deps.store.load(versionKey(image.name, version)))?.value as VersionState | undefined
    const quiet = state ? deps.now().getTime() - Date.parse(state.updatedAt) : 0
    if (!state || skip.includes(state.version) || quiet < MIN_QUIET_MS || quiet > windowMs) continue
    const kind = decideVersion(state, image.targetNames).kind
    if (kind === 'waiting' || kind === 'refused' || kind === 'stale') unfinished.push(state)
  }
  const newest = unfinished.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1)).slice(0, MAX_CHECKED)
  for (const state of newest) {
    if (await reconcileVersion(deps, image, state, { full: false })) await processVersion(deps, image, state.version)
  }
}
