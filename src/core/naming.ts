/**
 * Source naming templates such as `registry/demo/app-{arch}:{version}` or `demo/app:{version}-{arch}`:
 * render them for a platform, and match a pushed tag back to a version.
 * Pure.
 */
import type { Parsed } from './image-documents.ts'
import { normalizeRepositoryName, parseReference, splitRegistryHost, type RepositoryName } from './reference.ts'

/** A parsed `from` template; `repository` and `tag` may contain `{arch}`, `tag` contains `{version}`. */
export interface SourceTemplate {
  registry: string
  repository: string
  tag: string
}

/** A template with `{arch}` filled in: the concrete repository and the fixed text around `{version}` in its tags. */
export interface SourcePattern extends RepositoryName {
  tagPrefix: string
  tagSuffix: string
}

const ARCH = '{arch}'
const VERSION = '{version}'
// One shared matcher for the version part; per-image patterns are plain prefix/suffix strings (no
// regular expression or closure per image and arch: 10,000 images stay small).
const VERSION_TEXT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

function count(text: string, needle: string): number {
  return text.split(needle).length - 1
}

/** Parses a `from` template; it needs exactly one `{version}` (in the tag) and one `{arch}`. */
export function parseSourceTemplate(text: string): Parsed<SourceTemplate> {
  const slash = text.lastIndexOf('/')
  const colon = text.lastIndexOf(':')
  if (colon < slash) return { ok: false, reason: 'needs a tag part, e.g. ":{version}"' }
  if (count(text, VERSION) !== 1) return { ok: false, reason: 'needs exactly one {version}' }
  if (count(text, ARCH) !== 1) return { ok: false, reason: 'needs exactly one {arch}' }
  const tag = text.slice(colon + 1)
  if (!tag.includes(VERSION)) return { ok: false, reason: '{version} must be in the tag' }
  const sample = parseReference(text.replaceAll(ARCH, 'amd64').replaceAll(VERSION, 'v1.0.0'))
  if (!sample?.tag) return { ok: false, reason: 'is not a valid image reference once filled in' }
  const [registry, repository] = splitRegistryHost(text.slice(0, colon))
  if (registry.includes('{')) return { ok: false, reason: '{arch} may not be in the registry host' }
  return { ok: true, value: { ...normalizeRepositoryName({ registry, repository }), tag } }
}

/** Fills in `{arch}`: the repository and the text around `{version}` that `matchSourceTag` compares. */
export function buildSourcePattern(template: SourceTemplate, archName: string): SourcePattern {
  const repository = template.repository.replaceAll(ARCH, archName)
  const [tagPrefix, tagSuffix] = template.tag.replaceAll(ARCH, archName).split(VERSION) as [string, string]
  return { registry: template.registry, repository, tagPrefix, tagSuffix }
}

/** Returns the version encoded in `tag` under `pattern`, or undefined when the tag does not fit. */
export function matchSourceTag(pattern: Pick<SourcePattern, 'tagPrefix' | 'tagSuffix'>, tag: string): string | undefined {
  const { tagPrefix: before, tagSuffix: after } = pattern
  if (tag.length <= before.length + after.length || !tag.startsWith(before) || !tag.endsWith(after)) return undefined
  const version = tag.slice(before.length, tag.length - after.length)
  return VERSION_TEXT.test(version) ? version : undefined
}

/** Renders the per-arch tag for a version (the inverse of `matchTag`). */
export function renderSourceTag(template: SourceTemplate, archName: string, version: string): string {
  return template.tag.replaceAll(ARCH, archName).replaceAll(VERSION, version)
}

/** Renders the per-arch image reference of a version: repository (with `{arch}`) and tag. */
export function renderSourceReference(template: SourceTemplate, archName: string, version: string): RepositoryName & { tag: string } {
  return { registry: template.registry, repository: template.repository.replaceAll(ARCH, archName), tag: renderSourceTag(template, archName, version) }
}
