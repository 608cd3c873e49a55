import { describe, expect, it } from 'vitest'
import { createSubrequestBudget, parseSubrequestLimit, RESERVED_SUBREQUESTS, SubrequestLimitError } from '../../../src/runtime/workers/subrequest-budget.ts'

describe('subrequest budget', () => {
  it('sends the allowed number of requests, then refuses the next one without sending it', async () => {
    const sent: string[] = []
    const budget = createSubrequestBudget(RESERVED_SUBREQUESTS + 2, async (input) => (sent.push(String(input)), new Response('ok')))
    await budget.fetch('http://registry.test/v2/a')
    await budget.fetch('http://registry.test/v2/b')
    expect(budget.remaining()).toBe(0)
    const refused = budget.fetch('http://registry.test/v2/c')
    await expect(refused).rejects.toBeInstanceOf(SubrequestLimitError)
    await expect(refused).rejects.toThrow('not sent: registry.test would be subrequest 3 of this invocation, over the 2 registry requests allowed (MANIFEST_HOOK_SUBREQUESTS=12, 10 kept for state)')
    expect(sent).toEqual(['http://registry.test/v2/a', 'http://registry.test/v2/b'])
    budget.reset()
    expect([budget.used(), budget.remaining()]).toEqual([0, 2])
  })

  it('reads MANIFEST_HOOK_SUBREQUESTS, and the Free plan limit when it is unset or unusable', () => {
    expect(parseSubrequestLimit('10000')).toBe(10_000)
    expect(parseSubrequestLimit(undefined)).toBe(50)
    expect(parseSubrequestLimit('')).toBe(50)
    expect(parseSubrequestLimit('ten')).toBe(50)
    expect(parseSubrequestLimit('5')).toBe(50)
  })
})
