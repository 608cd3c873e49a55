/**
 * Versions no webhook announced. Every webhook of a version can be lost (a registry restart drops
 * distribution's in-memory queue; a provider gives up redelivering while we are down), so a full
 * sweep lists the tags of each source repository and records the arch tags of versions the ledger
 * has never seen, as if their webhooks had come. The first listing of an image only takes note of
 * what is there: tags pushed before manifest-hook watched the image are history, not work.
 */
import type { ImageConfig } from '../config.ts'
import type { SourceMatch } from '../core/catalog.ts'
import { buildSourcePattern } from '../core/naming.ts'
import { formatRepositoryName } from '../core/reference.ts'
import type { Deps } from '../deps.ts'
import { discoveryKey, listKeys, versionPrefix } from '../state/store.ts'
import { recordPush } from './record-push.ts'

/** What the first listing found (versions, sorted): left alone for good. */
export interface DiscoveryRecord {
  baseline: string[]
  at: string
}

/** Records the arch tags of unannounced versions of `image`; returns those versions. */
export async function discoverVersions(deps: Deps, image: ImageConfig): Promise<string[]> {
  const found = await listVersions(deps, image)
  const at = deps.now().toISOString()
  const key = discoveryKey(image.name)
  const record = (await deps.store.load(key))?.value as DiscoveryRecord | undefined
  if (!record) {
    await deps.store.save(key, { baseline: [...found.keys()].sort(), at } satisfies DiscoveryRecord, 0)
    return []
  }
  const known = new Set([...record.baseline, ...(await listKeys(deps.store, versionPrefix(image.name))).map((k) => k.slice(versionPrefix(image.name).length))])
  const unannounced = [...found].filter(([version]) => !known.has(version))
  for (const [version, matches] of unannounced) {
    deps.log.warn('found a version no webhook announced', { image: image.name, version, sources: matches.map((m) => m.source) })
    for (const match of matches) await recordPush(deps, match, {}, at)
  }
  return unannounced.map(([version]) => version)
}

// Every tag of every source repository of the image, matched to (platform, version) like a webhook's.
async function listVersions(deps: Deps, image: ImageConfig): Promise<Map<string, SourceMatch<ImageConfig>[]>> {
  const patterns = image.platforms.map((p) => buildSourcePattern(image.from, p.arch))
  const repositories = new Map(patterns.map(({ registry, repository }) => [formatRepositoryName({ registry, repository }), { registry, repository }]))
  // One token (where the registry wants tokens) covers every listing of the image.
  deps.registry.declareAccess?.({ pull: [...repositories.values()] })
  const found = new Map<string, SourceMatch<ImageConfig>[]>()
  for (const repo of repositories.values()) {
    for (const tag of await deps.registry.listTags(repo)) {
      for (const match of deps.catalog.match(repo, tag)) {
        if (match.image.name === image.name) found.set(match.version, [...(found.get(match.version) ?? []), match])
      }
    }
  }
  return found
}
