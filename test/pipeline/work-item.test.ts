import { describe, expect, it } from 'vitest'
import { parseWorkItem, workItemKey, workItemScope } from '../../src/pipeline/work-item.ts'

describe('work items', () => {
  it('parse from JSON and keep only what their kind defines', () => {
    expect(parseWorkItem(JSON.parse('{"kind":"process","image":"registry.test/demo/app","version":"v1.0.0"}'))).toEqual({ kind: 'process', image: 'registry.test/demo/app', version: 'v1.0.0' })
    expect(parseWorkItem({ kind: 'recover', image: 'a', skip: ['v1'] })).toEqual({ kind: 'recover', image: 'a', skip: ['v1'] })
    expect(parseWorkItem({ kind: 'sweep' })).toEqual({ kind: 'sweep' })
    expect(parseWorkItem({ kind: 'sweep', image: 'a', full: true, after: 'version/a/v1' })).toEqual({ kind: 'sweep', image: 'a', full: true, after: 'version/a/v1' })
  })

  it('refuse anything else with the issues listed', () => {
    const refused = (input: unknown) => {
      try {
        parseWorkItem(input)
      } catch (error) {
        return { code: (error as { code: string }).code, issues: (error as { issues: string[] }).issues }
      }
      throw new Error('accepted')
    }
    expect(refused({ kind: 'publish', image: 'a' })).toEqual({ code: 'INVALID_PAYLOAD', issues: ["kind: Invalid discriminator value. Expected 'process' | 'recover' | 'sweep' | 'notify'"] })
    expect(refused({ kind: 'process', image: 'a' }).issues).toEqual(['version: Invalid input: expected string, received undefined'])
    expect(refused({ kind: 'process', image: '', version: 'v1', extra: 1 }).issues).toHaveLength(2)
    expect(refused('{"kind":"sweep"}').code).toBe('INVALID_PAYLOAD')
    expect(refused(null).code).toBe('INVALID_PAYLOAD')
  })

  it('dedupe by what they do, and name the image that may be caught up on instead', () => {
    expect(workItemKey({ kind: 'process', image: 'a', version: 'v1' })).toBe('process:a/v1')
    expect(workItemKey({ kind: 'recover', image: 'a', skip: ['v1'] })).toBe(workItemKey({ kind: 'recover', image: 'a' }))
    expect(workItemKey({ kind: 'sweep' })).not.toBe(workItemKey({ kind: 'sweep', full: true }))
    expect(workItemKey({ kind: 'sweep', image: 'a', after: 'x' })).not.toBe(workItemKey({ kind: 'sweep', image: 'a' }))
    expect(workItemScope({ kind: 'process', image: 'a', version: 'v1' })).toBe('a')
    expect(workItemScope({ kind: 'sweep', image: 'a' })).toBeUndefined()
  })
})
