import { describe, expect, it } from 'vitest'
import { createImageState, markTagPushed, proposeLatest, unpushedTags } from '../../src/core/image-state.ts'

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`

describe('image state (moving tags)', () => {
  const empty = createImageState('r/app')

  it('moves latest forward and never backwards or to a pre-release', () => {
    const v2 = proposeLatest(empty, { version: 'v1.0.2', digest: d(2) })!
    expect(v2.tags.latest).toEqual({ version: 'v1.0.2', digest: d(2), pushed: false })
    expect(proposeLatest(v2, { version: 'v1.0.1', digest: d(1) })).toBeUndefined()
    expect(proposeLatest(v2, { version: 'v1.0.3-rc.1', digest: d(4) })).toBeUndefined()
    expect(proposeLatest(v2, { version: 'v1.0.3', digest: d(3) })?.tags.latest?.version).toBe('v1.0.3')
  })

  it('follows a republished version to its new digest', () => {
    const v2 = proposeLatest(empty, { version: 'v1.0.2', digest: d(2) })!
    expect(proposeLatest(v2, { version: 'v1.0.2', digest: d(2) })).toBeUndefined()
    expect(proposeLatest(v2, { version: 'v1.0.2', digest: d(9) })?.tags.latest?.digest).toBe(d(9))
  })

  it('marks a tag pushed only while it still names the pushed digest', () => {
    const v2 = proposeLatest(empty, { version: 'v1.0.2', digest: d(2) })!
    expect(unpushedTags(v2).map(([tag]) => tag)).toEqual(['latest'])
    expect(markTagPushed(v2, 'latest', d(1))).toBeUndefined()
    const pushed = markTagPushed(v2, 'latest', d(2))!
    expect(unpushedTags(pushed)).toEqual([])
    expect(markTagPushed(pushed, 'latest', d(2))).toBeUndefined()
  })
})
