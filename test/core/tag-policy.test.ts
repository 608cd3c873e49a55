import { describe, expect, it } from 'vitest'
import { decideLatest } from '../../src/core/tag-policy.ts'

const at = (version: string) => ({ version, digest: `sha256:${'0'.repeat(64)}` })

describe('decideLatest', () => {
  it.each([
    ['v1.0.2', undefined, { move: true }],
    ['v1.0.3', at('v1.0.2'), { move: true }],
    ['v2.0.0', at('v1.9.9'), { move: true }],
    ['v1.0.1', at('v1.0.2'), { move: false, reason: 'older' }],
    ['v1.0.3-rc.1', at('v1.0.2'), { move: false, reason: 'pre-release' }],
    ['v1.0.3-rc.1', undefined, { move: false, reason: 'pre-release' }],
    ['nightly', undefined, { move: false, reason: 'not-semver' }],
    ['v1.0.2', at('v1.0.2'), { move: true }],
    ['1.0.2', at('v1.0.2'), { move: false, reason: 'same-precedence' }],
    ['v1.0.0', at('main'), { move: true }],
  ] as const)('%s over %j', (version, current, expected) => {
    expect(decideLatest(version, current)).toEqual(expected)
  })
})
