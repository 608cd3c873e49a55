import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { pickDiscoverySlice } from '../../src/pipeline/sweep-discovery.ts'

const images = parseConfig({
  images: Array.from({ length: 5 }, (_, i) => ({ target: `registry.test/app-${i}`, from: `registry.test/app-${i}:{version}-{arch}`, platforms: ['linux/amd64'] })),
}).images
const names = (slice: { names: Set<string> }) => [...slice.names].map((name) => name.slice('registry.test/'.length))

describe('pickDiscoverySlice', () => {
  it('takes every image when they fit, else `perSweep` from the cursor, wrapping around', () => {
    expect(pickDiscoverySlice(images, 3, 5)).toEqual({ names: new Set(images.map((i) => i.name)), next: 0 })
    expect(names(pickDiscoverySlice(images, 0, 2))).toEqual(['app-0', 'app-1'])
    expect(pickDiscoverySlice(images, 4, 2)).toMatchObject({ next: 1 })
    expect(names(pickDiscoverySlice(images, 4, 2))).toEqual(['app-4', 'app-0'])
  })

  it('survives a cursor from a longer image list or a damaged record', () => {
    expect(names(pickDiscoverySlice(images, 12, 2))).toEqual(['app-2', 'app-3'])
    expect(names(pickDiscoverySlice(images, -1, 2))).toEqual(['app-0', 'app-1'])
    expect(names(pickDiscoverySlice(images, Number.NaN, 2))).toEqual(['app-0', 'app-1'])
  })
})
