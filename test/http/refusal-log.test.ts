import { describe, expect, it } from 'vitest'
import { createRefusalLog } from '../../src/http/refusal-log.ts'
import { createJsonLogger } from '../../src/log.ts'

describe('createRefusalLog', () => {
  it('logs a 10,000-request flood at a few hundred bytes per second after the first lines', () => {
    const lines: string[] = []
    let now = 0
    const refusals = createRefusalLog(createJsonLogger((line) => lines.push(line), 'info', () => new Date(now)), () => now)
    // 10,000 refused requests over 100 s, each with a 16 KB path carrying control characters.
    const path = `/webhooks/nope/${'\u202e\u2028x'.repeat(5500)}`
    for (let i = 0; i < 10_000; i++) {
      now = i * 10
      refusals.refused({ method: 'POST', path, status: 404, code: 'NOT_FOUND', message: 'no webhook source "nope" is configured' })
    }
    refusals.flush()
    const bytes = lines.reduce((sum, line) => sum + line.length + 1, 0)
    // The burst of 5, one more line after 60 s, and one summary per 10 s window.
    expect(lines).toHaveLength(5 + 1 + 10)
    expect(bytes / 100).toBeLessThan(150)
    expect(lines.join('\n')).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/)
    const summary = JSON.parse(lines.at(-1)!)
    expect(summary).toMatchObject({ msg: 'requests refused (not logged one by one)', count: 1000, byStatus: { '404 NOT_FOUND': 1000 } })
  })
})
