import { describe, expect, it } from 'vitest'
import { createImageState, markTagPushed, markTagUnpushed, proposeMovingTags, unpushedTags } from '../../src/core/image-state.ts'
import { DEFAULT_TAG_POLICY, type TagPolicy } from '../../src/core/tag-policy.ts'

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`
const T = 'r.example/app'

describe('image state (moving tags)', () => {
  const empty = createImageState('r/app')
  const policy = DEFAULT_TAG_POLICY

  it('moves latest forward and never backwards or to a pre-release', () => {
    const v2 = proposeMovingTags(empty, policy, { version: 'v1.0.2', digest: d(2) })!
    expect(v2.tags.latest).toEqual({ version: 'v1.0.2', digest: d(2), pushed: [] })
    expect(proposeMovingTags(v2, policy, { version: 'v1.0.1', digest: d(1) })).toBeUndefined()
    expect(proposeMovingTags(v2, policy, { version: 'v1.0.3-rc.1', digest: d(4) })).toBeUndefined()
    expect(proposeMovingTags(v2, policy, { version: 'v1.0.3', digest: d(3) })?.tags.latest?.version).toBe('v1.0.3')
  })

  it('follows a republished version to its new digest', () => {
    const v2 = proposeMovingTags(empty, policy, { version: 'v1.0.2', digest: d(2) })!
    expect(proposeMovingTags(v2, policy, { version: 'v1.0.2', digest: d(2) })).toBeUndefined()
    expect(proposeMovingTags(v2, policy, { version: 'v1.0.2', digest: d(9) })?.tags.latest?.digest).toBe(d(9))
  })

  it('moves floating tags only within their line and fixed extra tags always', () => {
    const withFloating: TagPolicy = { ...policy, floating: ['{major}', 'v{major}.{minor}'], extra: ['edge', '{version}-multiarch'] }
    let state = proposeMovingTags(empty, withFloating, { version: '2.1.0', digest: d(21) })!
    state = proposeMovingTags(state, withFloating, { version: '1.4.2', digest: d(142) })!
    expect(Object.fromEntries(Object.entries(state.tags).map(([tag, p]) => [tag, p.version]))).toEqual({
      latest: '2.1.0',
      '2': '2.1.0',
      'v2.1': '2.1.0',
      '1': '1.4.2',
      'v1.4': '1.4.2',
      edge: '1.4.2',
    })
    state = proposeMovingTags(state, withFloating, { version: '1.3.9', digest: d(139) })!
    expect(state.tags['1']?.version).toBe('1.4.2')
    expect(state.tags['v1.3']?.version).toBe('1.3.9')
    expect(state.tags.edge?.version).toBe('1.3.9')
    expect(state.tags['1.3.9-multiarch']).toBeUndefined()
  })

  it('tracks each target separately', () => {
    const v2 = proposeMovingTags(empty, policy, { version: 'v1.0.2', digest: d(2) })!
    expect(unpushedTags(v2, [T, 'mirror/app']).map((u) => [u.tag, u.targets])).toEqual([['latest', [T, 'mirror/app']]])
    expect(markTagPushed(v2, 'latest', d(1), T)).toBeUndefined()
    const one = markTagPushed(v2, 'latest', d(2), T)!
    expect(unpushedTags(one, [T, 'mirror/app']).map((u) => u.targets)).toEqual([['mirror/app']])
    expect(markTagPushed(one, 'latest', d(2), T)).toBeUndefined()
    const both = markTagPushed(one, 'latest', d(2), 'mirror/app')!
    expect(unpushedTags(both, [T, 'mirror/app'])).toEqual([])
    expect(unpushedTags(markTagUnpushed(both, 'latest', T)!, [T, 'mirror/app']).map((u) => u.targets)).toEqual([[T]])
  })

  it('reproduces the worked example of docs/tag-policy.md row by row', () => {
    const example: TagPolicy = { ...policy, floating: ['{major}', '{major}.{minor}'], extra: ['edge'] }
    const rows: [string, Record<string, string>][] = [
      ['1.2.0', { latest: '1.2.0', '1': '1.2.0', '1.2': '1.2.0', edge: '1.2.0' }],
      ['1.3.0', { latest: '1.3.0', '1': '1.3.0', '1.2': '1.2.0', '1.3': '1.3.0', edge: '1.3.0' }],
      ['1.2.1', { latest: '1.3.0', '1': '1.3.0', '1.2': '1.2.1', '1.3': '1.3.0', edge: '1.2.1' }],
      ['2.0.0-rc.1', { latest: '1.3.0', '1': '1.3.0', '1.2': '1.2.1', '1.3': '1.3.0', edge: '2.0.0-rc.1' }],
      ['2.0.0', { latest: '2.0.0', '1': '1.3.0', '1.2': '1.2.1', '1.3': '1.3.0', '2': '2.0.0', '2.0': '2.0.0', edge: '2.0.0' }],
      ['1.3.1', { latest: '2.0.0', '1': '1.3.1', '1.2': '1.2.1', '1.3': '1.3.1', '2': '2.0.0', '2.0': '2.0.0', edge: '1.3.1' }],
    ]
    let state = empty
    for (const [i, [version, expected]] of rows.entries()) {
      state = proposeMovingTags(state, example, { version, digest: d(i) }) ?? state
      expect(Object.fromEntries(Object.entries(state.tags).map(([tag, p]) => [tag, p.version]))).toEqual(expected)
    }
  })
})
