import { describe, expect, it } from 'vitest'
import { compareSemver, isStable, parseSemver } from '../../src/core/semver.ts'

const v = (text: string) => {
  const parsed = parseSemver(text)
  if (!parsed) throw new Error(`not semver: ${text}`)
  return parsed
}

describe('parseSemver', () => {
  it.each(['1.0.2', 'v1.0.2', 'V10.20.30', '1.0.0-rc.1', '1.0.0-alpha-1.beta', '0.0.0'])('accepts %s', (text) => {
    expect(parseSemver(text)?.raw).toBe(text)
  })
  it.each(['1.0', '1', 'latest', '01.0.0', '1.0.0-', '1.0.0-01', 'v', '1.0.0.0', 'vv1.0.0', '99999999999999999999.0.0'])('rejects %s', (text) => {
    expect(parseSemver(text)).toBeUndefined()
  })
})

describe('compareSemver', () => {
  // Precedence list from semver.org item 11, lowest first.
  const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0']
  it('orders by precedence', () => {
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareSemver(v(ordered[i]!), v(ordered[i + 1]!))).toBeLessThan(0)
      expect(compareSemver(v(ordered[i + 1]!), v(ordered[i]!))).toBeGreaterThan(0)
    }
  })
  it('ignores the v prefix', () => {
    expect(compareSemver(v('v1.2.3'), v('1.2.3'))).toBe(0)
  })
  it('knows stable from pre-release', () => {
    expect(isStable(v('1.0.0'))).toBe(true)
    expect(isStable(v('1.0.0-rc.1'))).toBe(false)
  })
})
