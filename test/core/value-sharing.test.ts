import { describe, expect, it } from 'vitest'
import { createValueSharing } from '../../src/core/value-sharing.ts'

describe('createValueSharing', () => {
  it('returns the first value with the same JSON, and anything else as it is', () => {
    const share = createValueSharing()
    const first = share([{ os: 'linux', architecture: 'amd64' }])
    expect(share([{ os: 'linux', architecture: 'amd64' }])).toBe(first)
    const other = [{ os: 'linux', architecture: 'arm64' }]
    expect(share(other)).toBe(other)
    expect(share({})).toEqual({})
    expect(share({})).toBe(share({}))
  })

  it('keeps each sharing to itself (one per configuration)', () => {
    const value = { latest: true }
    expect(createValueSharing()(value)).toBe(value)
    expect(createValueSharing()({ latest: true })).not.toBe(value)
  })
})
