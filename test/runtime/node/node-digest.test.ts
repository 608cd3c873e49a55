import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../../src/core/digest.ts'
import { sha256Digest } from '../../../src/runtime/node/node-server.ts'

describe('sha256Digest (the Node runtime digest)', () => {
  it('equals the Web Crypto digest for empty, small and multi-block inputs', async () => {
    const inputs = [new Uint8Array(0), new TextEncoder().encode('{"schemaVersion":2}'), new Uint8Array(200_000).map((_, i) => (i * 31) % 251)]
    for (const bytes of inputs) expect(await sha256Digest(bytes)).toBe(await computeDigest(bytes))
    // A view into a larger buffer hashes only its own bytes.
    const buffer = new Uint8Array([9, 9, 1, 2, 3, 9])
    expect(await sha256Digest(buffer.subarray(2, 5))).toBe(await computeDigest(new Uint8Array([1, 2, 3])))
  })
})
