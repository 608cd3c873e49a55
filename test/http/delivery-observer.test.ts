import { describe, expect, it } from 'vitest'
import { createIdSequence } from '../../src/http/delivery-observer.ts'

describe('generated delivery ids', () => {
  it('are UUID-shaped, distinct within a process and unrelated across processes', () => {
    const next = createIdSequence()
    const ids = Array.from({ length: 1000 }, () => next())
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(new Set(ids).size).toBe(1000)
    expect(ids[0]?.slice(24)).toBe('000000000000')
    expect(ids[999]?.slice(24)).toBe('0000000003e7')
    // Another sequence (another process) starts from another random prefix.
    expect(createIdSequence()().slice(0, 24)).not.toBe(ids[0]?.slice(0, 24))
  })
})
