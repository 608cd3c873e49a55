/**
 * recordPush: the durable part of "an arch tag was pushed" (from a webhook, or found by listing
 * tags): the arrival goes into the version's ledger, and a new version is created together with
 * its `recent/` marker.
 */
import type { ImageConfig } from '../config.ts'
import type { SourceMatch } from '../core/catalog.ts'
import { createVersionState, recordArrival, type ArrivalInput, type VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { recentKey, saveInOrder, versionKey } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'

/** What a push event said beyond its tag; all hints, verified later against the registry. */
export type PushHints = Pick<ArrivalInput, 'hintDigest' | 'hintBlobs' | 'eventAt'>

/** Records the push of `match`'s tag; `created` when it started a new version. */
export async function recordPush(deps: Deps, match: SourceMatch<ImageConfig>, hints: PushHints, receivedAt: string): Promise<{ changed: boolean; created: boolean }> {
  const { image } = match
  const input: ArrivalInput = { platform: match.platform, source: match.source, receivedAt, ...hints }
  const key = versionKey(image.name, match.version)
  const loaded = await deps.store.load(key)
  if (!loaded) {
    // The recent/ marker first, then the ledger: the order that is safe when interrupted between
    // the two (see "Writes of several keys" in state/store.ts); one commit where the store can.
    const state = recordArrival(createVersionState(image.name, match.version, image.platforms.map((p) => p.key), receivedAt), input)
    const marker = { key: recentKey(image.name, receivedAt, match.version), value: { version: match.version }, expectedVersion: 0 }
    const [, saved] = await saveInOrder(deps.store, [marker, { key, value: state, expectedVersion: 0 }])
    if (saved?.ok) return { changed: true, created: true }
    // Another delivery created it meanwhile (its marker, or this one, is harmless): record on top.
  }
  const result = await updateState<VersionState>(deps.store, key, (current) => current && recordArrival(current, input), { loaded })
  return { changed: result.changed, created: false }
}
