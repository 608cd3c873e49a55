// A new version is two writes (its recent/ marker, then its ledger; state/store.ts "Writes of
// several keys"). Interrupted between them, nothing is lost or stuck.
import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../src/state/memory-store.ts'
import { listKeys, recentPrefix, versionKey, type StateStore } from '../../src/state/store.ts'
import { createScenario, HOST, readIndex } from '../support/scenario.ts'

// A store that dies (throws) on the first save of a version ledger, as a process killed between two writes.
function createInterruptedStore(): StateStore & { interrupted: string[] } {
  const store = createMemoryStore()
  const interrupted: string[] = []
  return {
    ...store,
    interrupted,
    async save(key, value, expectedVersion, options) {
      if (key.startsWith('version/') && expectedVersion === 0 && interrupted.length === 0) {
        interrupted.push(key)
        throw new Error('killed between the marker and the ledger')
      }
      return store.save(key, value, expectedVersion, options)
    },
  }
}

describe('creating a version, interrupted between its two writes', () => {
  it('leaves a marker that readers skip; the redelivery creates the version and it publishes', async () => {
    const store = createInterruptedStore()
    const clock = { now: new Date('2026-11-27T12:00:00.000Z') }
    const s = createScenario({}, { store, clock })
    const image = `${HOST}/demo/suffix`
    await expect(s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')).rejects.toThrow(/answered 500/)
    expect(store.interrupted).toEqual([versionKey(image, 'v1.0.0')])
    expect(await listKeys(store, recentPrefix(image))).toHaveLength(1)
    expect(await store.load(versionKey(image, 'v1.0.0'))).toBeUndefined()
    // Every reader of markers copes with the marker alone: status, a light and a full sweep.
    expect((await s.status()).images.find((i: { image: string }) => i.image === image).versions).toEqual([])
    const reconcile = await s.test.request('/reconcile', { method: 'POST', headers: { authorization: 'Bearer admin-token' } })
    expect(await reconcile.json()).toMatchObject({ failures: 0 })
    // The registry redelivers a little later (the delivery was never acknowledged), then the other arch arrives.
    clock.now = new Date('2026-11-27T12:00:05.000Z')
    await s.push('demo/suffix', 'v1.0.0-amd64', 'linux/amd64')
    await s.push('demo/suffix', 'v1.0.0-arm64', 'linux/arm64')
    await s.test.idle()
    expect(readIndex(s.registry, 'demo/suffix', 'v1.0.0').manifests).toHaveLength(2)
    expect(readIndex(s.registry, 'demo/suffix', 'latest').manifests).toHaveLength(2)
    // Two markers now name the version (the orphan's and the new one's): readers count it once.
    expect(await listKeys(store, recentPrefix(image))).toHaveLength(2)
    expect((await s.status()).images.find((i: { image: string }) => i.image === image).versions.map((v: { version: string }) => v.version)).toEqual(['v1.0.0'])
  })
})
