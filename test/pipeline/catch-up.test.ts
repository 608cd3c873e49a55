import { describe, expect, it } from 'vitest'
import { catchUp } from '../../src/pipeline/catch-up.ts'
import { createScenario, HOST, readIndex } from '../support/scenario.ts'

describe('catchUp (after a full deferred-work queue dropped work)', () => {
  it('publishes the unfinished versions of the named images only, then of all images', async () => {
    const s = createScenario()
    // Arrivals are recorded but their deferred work is lost, as when the Node queue drops it.
    s.test.deps.work = { enqueue: async () => {} }
    for (const [arch, platform] of [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const) {
      await s.push(`demo/app-${arch}`, 'v1.0.0', platform)
    }
    await s.push('demo/suffix', 'v2.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v2.0.0-arm64', 'linux/arm64')
    expect(readIndex(s.registry, 'demo/suffix', 'v2.0.0')).toBeUndefined()

    expect(await catchUp(s.test.deps, [`${HOST}/demo/suffix`, 'not/configured'])).toBe(1)
    expect(readIndex(s.registry, 'demo/suffix', 'v2.0.0')?.manifests).toHaveLength(2)
    expect(readIndex(s.registry, 'demo/suffix', 'latest')?.manifests).toHaveLength(2)
    expect(readIndex(s.registry, 'demo/app', 'v1.0.0')).toBeUndefined()

    expect(await catchUp(s.test.deps)).toBe(1)
    expect(readIndex(s.registry, 'demo/app', 'v1.0.0')?.manifests).toHaveLength(3)
    // Nothing left: a second pass processes nothing.
    expect(await catchUp(s.test.deps)).toBe(0)
  })
})
