import { describe, expect, it } from 'vitest'
import { discoveryKey, GLOBAL_PARTITION, imageKey, parseRecentKey, partitionOf, recentKey, recentPrefix, SWEEP_KEY, versionKey, versionPrefix } from '../../src/state/store.ts'

describe('recent/ marker keys', () => {
  it('read back into the creation time and version, for image names with slashes', () => {
    const key = recentKey('registry.test:5000/org/app', '2026-11-27T12:00:00.000Z', 'v1.2.3-rc.1')
    expect(key.startsWith(recentPrefix('registry.test:5000/org/app'))).toBe(true)
    expect(parseRecentKey('registry.test:5000/org/app', key)).toEqual({ createdAt: '2026-11-27T12:00:00.000Z', version: 'v1.2.3-rc.1' })
  })
})

describe('partitionOf', () => {
  it('names the image of every image key and prefix, and the global partition for the rest', () => {
    const image = 'registry.test:5000/org/app'
    expect(partitionOf(versionKey(image, 'v1.2.3'))).toBe(image)
    expect(partitionOf(versionPrefix(image))).toBe(image)
    expect(partitionOf(recentKey(image, '2026-11-27T12:00:00.000Z', 'v1'))).toBe(image)
    expect(partitionOf(recentPrefix(image))).toBe(image)
    expect(partitionOf(imageKey(image))).toBe(image)
    expect(partitionOf(discoveryKey(image))).toBe(image)
    expect(partitionOf(versionKey('app', 'v1'))).toBe('app')
    expect(partitionOf(SWEEP_KEY)).toBe(GLOBAL_PARTITION)
    expect(partitionOf('k')).toBe(GLOBAL_PARTITION)
    expect(partitionOf('work/x')).toBe(GLOBAL_PARTITION)
  })
})
