import { describe, expect, it } from 'vitest'
import type { RegistryClient } from '../../../src/registry/registry-client.ts'
import { createLazyRegistry } from '../../../src/runtime/lambda/lazy-registry.ts'

const repo = { registry: 'r.example', repository: 'app' }

// A client that records calls; listTags answers with the calls made so far.
function recordingClient(calls: string[]): RegistryClient {
  const refuse = async () => Promise.reject(new Error('not used'))
  return {
    getManifest: refuse,
    headManifest: async (_repo, reference) => void calls.push(`head ${reference}`),
    putManifest: refuse,
    getBlob: refuse,
    copyBlob: refuse,
    declareAccess: (plan) => void calls.push(`declare ${plan.pull?.length ?? 0} ${plan.push?.length ?? 0}`),
    listReferrers: refuse,
    listTags: async () => [...calls],
  }
}

describe('lazy registry client', () => {
  it('loads the client on the first call, once, and forwards every call', async () => {
    let loads = 0
    const calls: string[] = []
    const registry = createLazyRegistry(async () => {
      loads++
      return recordingClient(calls)
    })
    expect(loads).toBe(0)
    await Promise.all([registry.headManifest(repo, 'v1'), registry.headManifest(repo, 'v2')])
    expect(await registry.listTags(repo)).toEqual(['head v1', 'head v2'])
    expect(loads).toBe(1)
  })

  it('applies access declared before the load ahead of the calls made after it', async () => {
    const calls: string[] = []
    const registry = createLazyRegistry(async () => recordingClient(calls))
    registry.declareAccess?.({ pull: [repo, repo], push: [repo] })
    await registry.headManifest(repo, 'v1')
    expect(calls).toEqual(['declare 2 1', 'head v1'])
  })

  it('retries a failed load on the next call; a declaration before a failed load is dropped', async () => {
    const calls: string[] = []
    let fail = true
    const registry = createLazyRegistry(async () => {
      if (fail) throw new Error('chunk missing')
      return recordingClient(calls)
    })
    registry.declareAccess?.({ pull: [repo] })
    await expect(registry.listTags(repo)).rejects.toThrow('chunk missing')
    fail = false
    expect(await registry.listTags(repo)).toEqual([])
  })
})
