/**
 * Tag policy: which tags a published version gets, and when a moving tag may move. Pure.
 * - `latest` goes only to the highest stable semver version (never backwards, never to a
 *   pre-release); versions that are not semver move it only under `nonSemver: 'last-published'`.
 * - Floating tags (`{major}`, `{major}.{minor}`, with any literal prefix such as `v{major}`) name
 *   a line; each moves only to the highest stable version of its line.
 * - Extra tags with a placeholder are fixed per version (`{version}-multiarch`); extra tags without
 *   one (`edge`) follow the last published version, whatever it is.
 */
import { compareSemver, isStable, parseSemver, type SemVer } from './semver.ts'

/** Where a moving tag points: the version it belongs to and the index digest pushed under it. */
export interface TagPointer {
  version: string
  digest: string
}

/** An image's tag policy (config `images[].tags`). */
export interface TagPolicy {
  latest: boolean
  floating: string[]
  nonSemver: 'never' | 'last-published'
  extra: string[]
}

export const DEFAULT_TAG_POLICY: TagPolicy = { latest: true, floating: [], nonSemver: 'never', extra: [] }

/** Outcome of asking whether a moving tag should follow a newly published version. */
export type MoveDecision =
  | { move: true }
  | { move: false; reason: 'not-semver' | 'pre-release' | 'older' | 'same-precedence' }

const PLACEHOLDER = /\{(version|major|minor|patch)\}/g

/**
 * Decides whether `latest` moves to `version` given where it points now.
 * Republishing the version `latest` already names (a rebuilt arch) moves it to the new digest.
 */
export function decideLatest(version: string, current: TagPointer | undefined, nonSemver: TagPolicy['nonSemver'] = 'never'): MoveDecision {
  const candidate = parseSemver(version)
  if (!candidate) return nonSemver === 'last-published' ? { move: true } : { move: false, reason: 'not-semver' }
  if (!isStable(candidate)) return { move: false, reason: 'pre-release' }
  return decideInLine(candidate, version, current)
}

function decideInLine(candidate: SemVer, version: string, current: TagPointer | undefined): MoveDecision {
  if (!current || current.version === version) return { move: true }
  const existing = parseSemver(current.version)
  if (!existing) return { move: true }
  const order = compareSemver(candidate, existing)
  if (order > 0) return { move: true }
  return { move: false, reason: order < 0 ? 'older' : 'same-precedence' }
}

/** Renders a tag template for a version; undefined when the template needs semver parts it lacks. */
export function renderTagTemplate(template: string, version: string): string | undefined {
  const semver = parseSemver(version)
  const parts: Record<string, string | undefined> = {
    version,
    major: semver && String(semver.major),
    minor: semver && String(semver.minor),
    patch: semver && String(semver.patch),
  }
  let missing = false
  const rendered = template.replace(PLACEHOLDER, (_, name: string) => parts[name] ?? ((missing = true), ''))
  return missing ? undefined : rendered
}

/** Returns true when a template has a placeholder (a per-version tag rather than a moving one). */
export function isTemplated(template: string): boolean {
  return new RegExp(PLACEHOLDER.source).test(template)
}

/** The tags pushed with the version itself: the version tag, then the per-version extra tags. */
export function buildVersionTags(policy: TagPolicy, version: string): string[] {
  const extra = policy.extra.filter(isTemplated).flatMap((t) => renderTagTemplate(t, version) ?? [])
  return [...new Set([version, ...extra])]
}

/** The moving tags `version` should take over, given where every moving tag points now. */
export function planMovingTags(policy: TagPolicy, published: TagPointer, current: Readonly<Record<string, TagPointer>>): string[] {
  const tags: string[] = []
  if (policy.latest && decideLatest(published.version, current.latest, policy.nonSemver).move) tags.push('latest')
  const semver = parseSemver(published.version)
  if (semver && isStable(semver)) {
    for (const template of policy.floating) {
      const tag = renderTagTemplate(template, published.version)
      if (tag && decideInLine(semver, published.version, current[tag]).move) tags.push(tag)
    }
  }
  tags.push(...policy.extra.filter((t) => !isTemplated(t)))
  return [...new Set(tags)].filter((tag) => current[tag]?.digest !== published.digest || current[tag]?.version !== published.version)
}
