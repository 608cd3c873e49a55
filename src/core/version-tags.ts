/**
 * Which tags that fit an image's `from` template are versions of it. Pure.
 * - Never one of the image's managed moving tags: `latest`, a tag a floating template renders
 *   (`{major}` → `1`, `v{major}.{minor}` → `v1.4`), or a fixed extra tag (`edge`). A per-arch
 *   `org/app-amd64:latest` pushed beside `:v1.0.2` is a moving tag of the per-arch build, and
 *   publishing it as a version would push an old or branch build over our own `latest`.
 * - Never a referrers or signature tag: `sha256-<hex>` (the referrers tag schema of the
 *   distribution spec) with or without cosign's `.sig`, `.att`, `.sbom` suffixes.
 * - Other tags (`main`, `2026.11.27`) are versions and follow the `nonSemver` policy, unless the
 *   image's version filter (`versionPattern`) says otherwise.
 */
import { isTemplated, type TagPolicy } from './tag-policy.ts'

/** What an image says about its versions: its tag policy and the optional version filter. */
export interface VersionRule {
  tags?: TagPolicy
  versionPattern?: RegExp
}

/** Whether a tag's version part is a version of the image, and why not. */
export type VersionTagDecision =
  | { ok: true }
  | { ok: false; reason: 'moving-tag' | 'referrers-tag' | 'filtered' }

// Referrers tag schema: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
// cosign's signature, attestation and SBOM tags: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
const REFERRERS_TAG = /^sha256-[0-9a-f]{64}(\.(sig|att|sbom))?$/
const NUMBER = '(0|[1-9][0-9]*)'
const SEMVER_PART = /\{(major|minor|patch)\}/g

// One matcher per floating template, shared by every image using the same policy object.
const floatingMatchers = new WeakMap<TagPolicy, RegExp[]>()

function floatingMatchersOf(policy: TagPolicy): RegExp[] {
  const cached = floatingMatchers.get(policy)
  if (cached) return cached
  const built = policy.floating.map((template) => {
    const literal = template.split(SEMVER_PART).map((part, i) => (i % 2 === 1 ? NUMBER : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    return new RegExp(`^${literal.join('')}$`)
  })
  floatingMatchers.set(policy, built)
  return built
}

/** Returns true for a referrers fallback tag or a cosign signature / attestation / SBOM tag. */
export function isReferrersTag(tag: string): boolean {
  return REFERRERS_TAG.test(tag)
}

/** Returns true when `tag` is one of the moving tags the policy manages (`latest` always counts). */
export function isMovingTag(policy: TagPolicy | undefined, tag: string): boolean {
  if (tag === 'latest') return true
  if (!policy) return false
  if (policy.extra.some((extra) => !isTemplated(extra) && extra === tag)) return true
  return floatingMatchersOf(policy).some((matcher) => matcher.test(tag))
}

/** Decides whether `version` (the `{version}` part of a pushed tag) is a version of the image. */
export function decideVersionTag(rule: VersionRule, version: string): VersionTagDecision {
  if (isReferrersTag(version)) return { ok: false, reason: 'referrers-tag' }
  if (isMovingTag(rule.tags, version)) return { ok: false, reason: 'moving-tag' }
  if (rule.versionPattern && !rule.versionPattern.test(version)) return { ok: false, reason: 'filtered' }
  return { ok: true }
}
