import { describe, expect, it } from 'vitest'
import { instantFromEpochSeconds, parseInstant } from '../../src/core/instant.ts'

describe('parseInstant', () => {
  it.each([
    ['2026-11-27T19:02:40.338289801Z', '2026-11-27T19:02:40.338289801Z'],
    ['2026-11-27T19:02:40Z', '2026-11-27T19:02:40.000000000Z'],
    ['2026-11-27T19:02:40.5z', '2026-11-27T19:02:40.500000000Z'],
    ['2026-11-27T21:02:40.1+02:00', '2026-11-27T19:02:40.100000000Z'],
  ])('%s', (input, expected) => {
    expect(parseInstant(input)).toBe(expected)
  })

  it('sorts as time does, whatever the precision and offset', () => {
    const texts = ['2026-11-27T19:02:40.5Z', '2026-11-27T19:02:40.49999Z', '2026-11-27T20:02:40.4+01:00', '2026-11-27T19:02:41Z']
    const sorted = texts.map((t) => [parseInstant(t)!, t] as const).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t)
    expect(sorted).toEqual(['2026-11-27T20:02:40.4+01:00', '2026-11-27T19:02:40.49999Z', '2026-11-27T19:02:40.5Z', '2026-11-27T19:02:41Z'])
  })

  it.each(['', 'yesterday', '2026-11-27', '2026-11-27T19:02:40', '2026-13-45T99:00:00Z', '2026-11-27T19:02:40.1234567890Z'])('rejects %j', (input) => {
    expect(parseInstant(input)).toBeUndefined()
  })
})

describe('instantFromEpochSeconds', () => {
  it('converts Unix seconds, fractional ones too', () => {
    expect(instantFromEpochSeconds(1764270000)).toBe('2025-11-27T19:00:00.000000000Z')
    expect(instantFromEpochSeconds(1764270000.25)).toBe('2025-11-27T19:00:00.250000000Z')
    expect(instantFromEpochSeconds(-1)).toBeUndefined()
    expect(instantFromEpochSeconds(Number.NaN)).toBeUndefined()
  })
})
