import { describe, expect, it } from 'vitest'
import { createJsonLogger, escapeInvisible, redactUrl } from '../src/log.ts'

describe('redactUrl', () => {
  it('redacts userinfo, secret query parameters and webhook path secrets', () => {
    const text = 'see https://user:pw@host/x?a=1&access_token=abc&sig=zz /webhooks/dockerhub/s3cret?x=1 x://a://b@c'
    expect(redactUrl(text)).toBe('see https://[redacted]@host/x?a=1&access_token=[redacted]&sig=[redacted] /webhooks/dockerhub/[redacted]?x=1 x://a://[redacted]@c')
  })

  // The regular expressions before this were quadratic: a 16 KB path took ~0.4 s, 100 KB over 15 s.
  it.each([
    ['word characters', `/${'a'.repeat(100_000)}`],
    ['a query without a value', `/?${'x'.repeat(100_000)}`],
    ['many separators', `/?${'&a'.repeat(50_000)}`],
    ['many schemes', 'a://'.repeat(25_000)],
    ['a long webhook source', `/webhooks/${'a'.repeat(100_000)}`],
  ])('is linear on %s (100 KB: best of 3 under 30 ms)', (_, text) => {
    const times = Array.from({ length: 3 }, () => {
      const started = performance.now()
      redactUrl(text)
      return performance.now() - started
    })
    expect(Math.min(...times)).toBeLessThan(30)
  })
})

describe('createJsonLogger', () => {
  it('escapes line separators, C1 controls and bidi overrides, and clips long strings', () => {
    const lines: string[] = []
    const log = createJsonLogger((line) => lines.push(line), 'info', () => new Date(0))
    log.warn('refused', { path: '/a\u2028b\u202ec\u0085d\u2066e', long: 'x'.repeat(5000) })
    expect(lines).toHaveLength(1)
    const line = lines[0]!
    expect(line).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/)
    const parsed = JSON.parse(line)
    expect(parsed.path).toBe('/a\u2028b\u202ec\u0085d\u2066e')
    expect(parsed.long).toBe(`${'x'.repeat(2048)}…(2952 more)`)
  })

  it('escapes only what JSON.stringify leaves raw', () => {
    expect(escapeInvisible('"a\u2029b"')).toBe('"a\\u2029b"')
    expect(escapeInvisible('"plain é ü"')).toBe('"plain é ü"')
  })
})
