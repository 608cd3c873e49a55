/**
 * Applies retention (core/retention.ts) to one image: deletes the ledgers of old, finished
 * versions no moving tag names, and their `recent/` markers, plus markers whose ledger is gone (a
 * create interrupted between its two writes). Run by full sweeps. A pruned version is added to the
 * image's discovery baseline first, so the tag listing does not take its tags, still in the
 * registry, for a version no webhook announced.
 */
import type { ImageConfig } from '../config.ts'
import type { ImageState } from '../core/image-state.ts'
import { choosePruneCandidates, isPrunable, type RetentionPolicy } from '../core/retention.ts'
import type { VersionState } from '../core/version-state.ts'
import type { Deps } from '../deps.ts'
import { discoveryKey, imageKey, listKeys, parseRecentKey, recentPrefix, versionKey, versionPrefix } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'
import type { DiscoveryRecord } from './discover-versions.ts'

/** Prunes `image`'s versions under `policy`; returns the versions deleted. */
export async function pruneVersions(deps: Deps, image: ImageConfig, policy: RetentionPolicy): Promise<string[]> {
  const markers = (await listKeys(deps.store, recentPrefix(image.name))).map((key) => ({ key, ...parseRecentKey(image.name, key) }))
  const ledgers = new Set((await listKeys(deps.store, versionPrefix(image.name))).map((key) => key.slice(versionPrefix(image.name).length)))
  const now = deps.now().getTime()
  const candidates = choosePruneCandidates(markers.filter((m) => ledgers.has(m.version)), policy, now)
  const imageState = (await deps.store.load(imageKey(image.name)))?.value as ImageState | undefined
  const named = new Set(Object.values(imageState?.tags ?? {}).map((tag) => tag.version))
  const pruned: string[] = []
  for (const version of candidates) {
    const loaded = await deps.store.load(versionKey(image.name, version))
    if (!loaded || !isPrunable(loaded.value as VersionState, image.targetNames, named)) continue
    await rememberPruned(deps, image, version)
    // A conflict means the version changed meanwhile (a rebuild): it stays until the next sweep.
    if ((await deps.store.delete(versionKey(image.name, version), loaded.version)).ok) pruned.push(version)
  }
  // Markers of pruned versions, and old ones left without a ledger.
  const cutoff = new Date(now - policy.days * 86_400_000).toISOString()
  const gone = new Set(pruned)
  for (const marker of markers) {
    if (gone.has(marker.version) || (!ledgers.has(marker.version) && marker.createdAt < cutoff)) await deleteMarker(deps, marker.key)
  }
  if (pruned.length > 0) deps.log.info('pruned versions past retention', { image: image.name, versions: pruned.length })
  return pruned
}

async function rememberPruned(deps: Deps, image: ImageConfig, version: string): Promise<void> {
  // No record yet: the first listing takes every tag there as its baseline anyway.
  await updateState<DiscoveryRecord>(deps.store, discoveryKey(image.name), (record) =>
    record && !record.baseline.includes(version) ? { ...record, baseline: [...record.baseline, version].sort() } : undefined,
  )
}

async function deleteMarker(deps: Deps, key: string): Promise<void> {
  const loaded = await deps.store.load(key)
  if (loaded) await deps.store.delete(key, loaded.version)
}
