import { describe, expect, it } from 'vitest'
import { parseArrivals } from '../../../src/runtime/workers/arrivals-input.ts'

const DIGEST = `sha256:${'b'.repeat(64)}`
const arrival = {
  image: 'registry.test/demo/app',
  version: 'v1.0.0',
  platform: 'linux/amd64',
  source: 'registry.test/demo/app-amd64:v1.0.0',
  receivedAt: '2026-12-03T12:00:00.000Z',
  hintDigest: DIGEST,
  hintBlobs: [{ mediaType: 'application/vnd.oci.image.config.v1+json', digest: DIGEST, size: 12 }],
  eventAt: '2026-12-03T11:59:59.000Z',
}

const issues = (input: unknown) => {
  try {
    parseArrivals(input)
  } catch (error) {
    return [(error as Error).message, ...((error as { issues?: string[] }).issues ?? [])]
  }
  throw new Error('parsed')
}

describe('parseArrivals (what an image object receives over RPC)', () => {
  it('returns the arrivals of one image as they are', () => {
    const bare = { image: arrival.image, version: 'v1.0.1', platform: 'linux/arm64', source: 'registry.test/demo/app-arm64:v1.0.1', receivedAt: arrival.receivedAt }
    expect(parseArrivals([arrival, bare])).toEqual([arrival, bare])
    expect(parseArrivals([])).toEqual([])
  })

  it('refuses malformed arrivals and arrivals of several images', () => {
    expect(issues({ arrivals: [] })[0]).toBe('arrivals does not match the expected schema')
    expect(issues([{ ...arrival, hintDigest: 'sha256:1', extra: 1 }])).toEqual([
      'arrivals does not match the expected schema',
      expect.stringMatching(/^0\.hintDigest: /),
      expect.stringMatching(/^0: Unrecognized key: "extra"/),
    ])
    expect(issues([{ ...arrival, image: '' }])).toEqual(['arrivals does not match the expected schema', expect.stringMatching(/^0\.image: /)])
    expect(issues([arrival, { ...arrival, image: 'registry.test/demo/tool' }])).toEqual(['arrivals of one call must be of one image, not 2'])
  })
})
