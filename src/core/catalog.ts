/**
 * The catalog answers "which image, platform and version does this pushed tag belong to?" in
 * constant time per repository (a map keyed by registry/repository, never a scan of all images).
 * Pure.
 */
import { buildSourcePattern, matchSourceTag, type SourceTemplate } from './naming.ts'
import { formatReference, formatRepositoryName, type RepositoryName } from './reference.ts'
import { decideVersionTag, type VersionRule, type VersionTagDecision } from './version-tags.ts'

/** The parts of an image's configuration the catalog needs (the version rule: version-tags.ts). */
export interface CatalogImage extends VersionRule {
  name: string
  target: RepositoryName
  /** Every repository the index is published to (mirrors included); `[target]` when absent. */
  targets?: RepositoryName[]
  from: SourceTemplate
  platforms: { key: string; arch: string }[]
}

/** A pushed tag recognised as one platform of one version of one image. */
export interface SourceMatch<I extends CatalogImage = CatalogImage> {
  image: I
  platform: string
  version: string
  source: string
}

/** Lookup over the configured images. */
export interface Catalog<I extends CatalogImage = CatalogImage> {
  /** Every (image, platform, version) a pushed tag stands for; empty when none. */
  match(name: RepositoryName, tag: string): SourceMatch<I>[]
  /** Why a tag that fits a template is not a version (moving, referrers or filtered tag); undefined otherwise. */
  refusal(name: RepositoryName, tag: string): Exclude<VersionTagDecision, { ok: true }>['reason'] | undefined
  /** The image configured under `name` (its target), if any. */
  image(name: string): I | undefined
  /** Returns true when the repository receives our own index pushes. */
  isTarget(name: RepositoryName): boolean
  /** Returns true when any image reads from or writes to the repository. */
  isKnown(name: RepositoryName): boolean
}

interface Entry<I> {
  image: I
  platform: string
  tagPrefix: string
  tagSuffix: string
}

/** Builds the catalog once per configuration. */
export function buildCatalog<I extends CatalogImage>(images: I[]): Catalog<I> {
  const sources = new Map<string, Entry<I>[]>()
  const byName = new Map(images.map((image) => [image.name, image]))
  const targets = new Set<string>()
  // Equal strings of different images (tag suffixes such as "-amd64") are kept once.
  const strings = new Map<string, string>()
  const intern = (text: string) => strings.get(text) ?? (strings.set(text, text), text)
  for (const image of images) {
    // Every target: our own pushes to a mirror come back as events too, and must read as ours.
    for (const target of image.targets ?? [image.target]) targets.add(intern(formatRepositoryName(target)))
    for (const { key, arch } of image.platforms) {
      const pattern = buildSourcePattern(image.from, arch)
      const repo = intern(formatRepositoryName(pattern))
      const entry = { image, platform: key, tagPrefix: intern(pattern.tagPrefix), tagSuffix: intern(pattern.tagSuffix) }
      sources.set(repo, [...(sources.get(repo) ?? []), entry])
    }
  }
  return {
    match(name, tag) {
      return (sources.get(formatRepositoryName(name)) ?? []).flatMap((entry) => {
        const version = matchSourceTag(entry, tag)
        if (version === undefined || !decideVersionTag(entry.image, version).ok) return []
        return [{ image: entry.image, platform: entry.platform, version, source: formatReference({ ...name, tag }) }]
      })
    },
    refusal(name, tag) {
      for (const entry of sources.get(formatRepositoryName(name)) ?? []) {
        const version = matchSourceTag(entry, tag)
        const decision = version === undefined ? undefined : decideVersionTag(entry.image, version)
        if (decision && !decision.ok) return decision.reason
      }
      return undefined
    },
    image: (name) => byName.get(name),
    isTarget: (name) => targets.has(formatRepositoryName(name)),
    isKnown: (name) => targets.has(formatRepositoryName(name)) || sources.has(formatRepositoryName(name)),
  }
}
