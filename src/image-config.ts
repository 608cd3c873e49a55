/**
 * The `images[]` part of the configuration: schema and resolution of one image (targets, naming
 * template, platforms, tag policy, deadline, annotations, child tags). Pure; used by config.ts.
 */
import * as z from 'zod/mini'
import type { IndexMediaTypeChoice } from './core/index-manifest.ts'
import { parseSourceTemplate, type SourceTemplate } from './core/naming.ts'
import { defaultArchName, formatPlatform, parsePlatform, type Platform } from './core/platform.ts'
import { formatRepositoryName, isValidTag, parseRepositoryName, type RepositoryName } from './core/reference.ts'
import { DEFAULT_TAG_POLICY, renderTagTemplate, type TagPolicy } from './core/tag-policy.ts'
import type { ShareValue } from './core/value-sharing.ts'
import type { DeadlineAction } from './core/version-state.ts'

/** One platform an image is built for, with the `{arch}` name its per-arch images use. */
export interface ImagePlatform {
  key: string
  platform: Platform
  arch: string
}

/** One multi-arch image: where its per-arch images come from and where the index goes. */
export interface ImageConfig {
  /** The first target, `registry/repository`: the image's identity in state and status. */
  name: string
  target: RepositoryName
  /** Every repository the index is published to (the first one is `target`). */
  targets: RepositoryName[]
  /** `registry/repository` of each target, in the same order (how the ledgers name them). */
  targetNames: string[]
  from: SourceTemplate
  platforms: ImagePlatform[]
  indexMediaType: IndexMediaTypeChoice
  tags: TagPolicy
  deadline?: { ms: number; action: DeadlineAction }
  annotations: Record<string, string>
  childTags?: string
  referrers: boolean
  /** Only tags whose `{version}` part matches are versions (`images[].versionPattern`). */
  versionPattern?: RegExp
}

const platformInput = z.union([
  z.string(),
  z.strictObject({ platform: z.string(), arch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/))) }),
])

export const imageSchema = z.strictObject({
  target: z.union([z.string(), z.array(z.string()).check(z.minLength(1))]),
  from: z.string(),
  platforms: z.array(platformInput).check(z.minLength(1)),
  indexMediaType: z._default(z.enum(['auto', 'oci', 'docker']), 'auto'),
  tags: z._default(
    z.strictObject({
      latest: z._default(z.boolean(), DEFAULT_TAG_POLICY.latest),
      floating: z._default(z.array(z.string()), []),
      nonSemver: z._default(z.enum(['never', 'last-published']), DEFAULT_TAG_POLICY.nonSemver),
      extra: z._default(z.array(z.string()), []),
    }),
    DEFAULT_TAG_POLICY,
  ),
  deadline: z.optional(z.strictObject({ seconds: z.int().check(z.positive()), action: z.enum(['publish-partial', 'stale']) })),
  annotations: z._default(z.record(z.string().check(z.minLength(1)), z.string()), {}),
  childTags: z.optional(z.string()),
  referrers: z._default(z.boolean(), true),
  versionPattern: z.optional(z.string().check(z.minLength(1))),
})

type RawImage = z.infer<typeof imageSchema>

/** Resolves one image; problems are appended to `issues` with their paths. */
export function resolveImage(raw: RawImage, path: string, issues: string[], share: ShareValue = (value) => value): ImageConfig {
  const targets = (Array.isArray(raw.target) ? raw.target : [raw.target]).flatMap((text, i) => resolveTarget(text, Array.isArray(raw.target) ? `${path}.target.${i}` : `${path}.target`, issues))
  const from = parseSourceTemplate(raw.from)
  if (!from.ok) issues.push(`${path}.from: ${from.reason}`)
  const platforms = raw.platforms.flatMap((item, i) => resolvePlatform(item, `${path}.platforms.${i}`, issues))
  checkUnique(platforms.map((p) => p.key), `${path}.platforms`, 'platform', issues)
  checkUnique(platforms.map((p) => p.arch), `${path}.platforms`, '{arch} name', issues)
  checkUnique(targets.map(formatRepositoryName), `${path}.target`, 'target', issues)
  checkTagTemplates(raw, path, issues)
  const versionPattern = raw.versionPattern === undefined ? undefined : compilePattern(raw.versionPattern, `${path}.versionPattern`, issues)
  const target = targets[0] ?? { registry: '', repository: '' }
  const targetNames = targets.map(formatRepositoryName)
  return {
    name: targetNames[0] ?? String(raw.target),
    target,
    targets,
    targetNames,
    from: from.ok ? from.value : { registry: '', repository: '', tag: '' },
    // Checked above with this image's paths; equal lists, policies and annotations are then shared.
    platforms: share(platforms),
    indexMediaType: raw.indexMediaType,
    tags: share(raw.tags),
    ...(raw.deadline ? { deadline: { ms: raw.deadline.seconds * 1000, action: raw.deadline.action } } : {}),
    annotations: share(raw.annotations),
    ...(raw.childTags ? { childTags: raw.childTags } : {}),
    referrers: raw.referrers,
    ...(versionPattern ? { versionPattern } : {}),
  }
}

// A version filter is a regular expression over the `{version}` part (e.g. "^v?[0-9]+\\.[0-9]+\\.[0-9]+$").
function compilePattern(text: string, path: string, issues: string[]): RegExp | undefined {
  try {
    return new RegExp(text, 'u')
  } catch (error) {
    issues.push(`${path}: not a regular expression (${error instanceof Error ? error.message : String(error)})`)
    return undefined
  }
}

function resolveTarget(text: string, path: string, issues: string[]): RepositoryName[] {
  const target = parseRepositoryName(text)
  if (target) return [target]
  issues.push(`${path}: not a repository name (e.g. "ghcr.io/org/app")`)
  return []
}

function resolvePlatform(item: z.infer<typeof platformInput>, path: string, issues: string[]): ImagePlatform[] {
  const text = typeof item === 'string' ? item : item.platform
  const platform = parsePlatform(text)
  if (!platform) {
    issues.push(`${path}: "${text}" is not os/arch[/variant] (e.g. "linux/arm/v7")`)
    return []
  }
  const arch = typeof item === 'string' || !item.arch ? defaultArchName(platform) : item.arch
  return [{ key: formatPlatform(platform), platform, arch }]
}

// Templates are checked by rendering them for a sample version: the result must be a valid tag.
function checkTagTemplates(raw: RawImage, path: string, issues: string[]): void {
  raw.tags.floating.forEach((template, i) => {
    const where = `${path}.tags.floating.${i}`
    if (!template.includes('{major}') || /\{(version|patch)\}/.test(template)) issues.push(`${where}: a floating tag needs {major} (and may use {minor}), not {version} or {patch}`)
    else checkRendered(renderTagTemplate(template, 'v1.2.3'), where, issues)
  })
  raw.tags.extra.forEach((template, i) => checkRendered(renderTagTemplate(template, 'v1.2.3'), `${path}.tags.extra.${i}`, issues))
  if (raw.childTags !== undefined) {
    const where = `${path}.childTags`
    if (!raw.childTags.includes('{arch}') || !raw.childTags.includes('{version}')) issues.push(`${where}: needs {version} and {arch} (e.g. "{version}-{arch}")`)
    else checkRendered(renderTagTemplate(raw.childTags.replaceAll('{arch}', 'amd64'), 'v1.2.3'), where, issues)
  }
}

function checkRendered(tag: string | undefined, path: string, issues: string[]): void {
  if (tag === undefined || !isValidTag(tag)) issues.push(`${path}: does not render to a valid tag (got "${tag ?? ''}")`)
}

/** Appends an issue for every value that appears more than once. */
export function checkUnique(values: string[], path: string, what: string, issues: string[]): void {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(value)) issues.push(`${path}: ${what} "${value}" appears twice`)
    seen.add(value)
  }
}

// Registries where clean-up of untagged manifests is common (GHCR clean-up actions, ECR lifecycle
// rules, Artifact Registry clean-up policies) and deletes the untagged children of an index:
// actions/delete-package-versions#90, aws/containers-roadmap#1466.
const UNTAGGED_CLEANUP = [/^ghcr\.io$/, /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/, /-docker\.pkg\.dev$/]

/** Warns about targets whose children stay untagged on registries known to clean those up. */
export function findImageWarnings(image: ImageConfig): string[] {
  if (image.childTags) return []
  return image.targets
    .filter((target) => UNTAGGED_CLEANUP.some((pattern) => pattern.test(target.registry)))
    .map((target) => `${image.name}: children in ${formatRepositoryName(target)} stay untagged and may be deleted by clean-up of untagged manifests; set "childTags" (e.g. "{version}-{arch}") to protect them`)
}
