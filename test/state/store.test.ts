import { describe, expect, it } from 'vitest'
import { parseRecentKey, recentKey, recentPrefix } from '../../src/state/store.ts'

describe('recent/ marker keys', () => {
  it('read back into the creation time and version, for image names with slashes', () => {
    const key = recentKey('registry.test:5000/org/app', '2026-11-27T12:00:00.000Z', 'v1.2.3-rc.1')
    expect(key.startsWith(recentPrefix('registry.test:5000/org/app'))).toBe(true)
    expect(parseRecentKey('registry.test:5000/org/app', key)).toEqual({ createdAt: '2026-11-27T12:00:00.000Z', version: 'v1.2.3-rc.1' })
  })
})
