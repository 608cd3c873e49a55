import { describe, expect, it } from 'vitest'
import { DEFAULT_TAG_POLICY, type TagPolicy } from '../../src/core/tag-policy.ts'
import { decideVersionTag, isMovingTag, isReferrersTag } from '../../src/core/version-tags.ts'

const HEX = 'a'.repeat(64)
const policy: TagPolicy = { latest: true, floating: ['{major}', 'v{major}.{minor}'], nonSemver: 'never', extra: ['edge', '{version}-multiarch'] }

describe('version tags', () => {
  it('refuses referrers and cosign tags, with or without a suffix', () => {
    for (const tag of [`sha256-${HEX}`, `sha256-${HEX}.sig`, `sha256-${HEX}.att`, `sha256-${HEX}.sbom`]) {
      expect(isReferrersTag(tag)).toBe(true)
      expect(decideVersionTag({ tags: DEFAULT_TAG_POLICY }, tag)).toEqual({ ok: false, reason: 'referrers-tag' })
    }
    expect(isReferrersTag(`sha256-${HEX.slice(1)}`)).toBe(false)
    expect(isReferrersTag(`sha256-${HEX}.sigx`)).toBe(false)
    expect(isReferrersTag(`sha256-${HEX.toUpperCase()}`)).toBe(false)
  })

  it('refuses latest always, and the floating and fixed extra tags the policy manages', () => {
    expect(decideVersionTag({}, 'latest')).toEqual({ ok: false, reason: 'moving-tag' })
    expect(decideVersionTag({ tags: { ...policy, latest: false } }, 'latest')).toEqual({ ok: false, reason: 'moving-tag' })
    for (const tag of ['1', '12', 'v1.4', 'v0.0', 'edge']) expect(isMovingTag(policy, tag)).toBe(true)
    // Not what a floating template renders: leading zeros, a missing prefix, other text.
    for (const tag of ['01', '1.4', 'v1', 'v1.4.0', 'edge2', '1.0.0-multiarch', 'main']) expect(isMovingTag(policy, tag)).toBe(false)
  })

  it('accepts semver and other versions such as main or a date', () => {
    for (const tag of ['v1.0.2', '1.0.2-rc.1', 'main', '2026.11.27', '1']) expect(decideVersionTag({ tags: DEFAULT_TAG_POLICY }, tag)).toEqual({ ok: true })
  })

  it('applies the version filter after the built-in rules', () => {
    const rule = { tags: DEFAULT_TAG_POLICY, versionPattern: /^v?[0-9]+\.[0-9]+\.[0-9]+$/u }
    expect(decideVersionTag(rule, 'v1.0.2')).toEqual({ ok: true })
    expect(decideVersionTag(rule, 'main')).toEqual({ ok: false, reason: 'filtered' })
    expect(decideVersionTag(rule, '1.0.2-rc.1')).toEqual({ ok: false, reason: 'filtered' })
    expect(decideVersionTag(rule, 'latest')).toEqual({ ok: false, reason: 'moving-tag' })
  })
})
