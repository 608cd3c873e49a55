// Which ledger writes of a publish wait for the disk: what a sender was told (an arrival) and
// what guards `latest` (the moving-tag claim) always; what the registry can tell again (a resolved
// child, a publication, a pushed tag) is saved with `durable: false` (state/store.ts, Durability).
import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../src/state/memory-store.ts'
import type { StateStore } from '../../src/state/store.ts'
import { createScenario } from '../support/scenario.ts'

// A memory store that notes every save as "<key kind> <durable|relaxed> <what changed>".
function createNotingStore(): { store: StateStore; saves: string[] } {
  const inner = createMemoryStore()
  const saves: string[] = []
  const store: StateStore = {
    ...inner,
    async save(key, value, expectedVersion, options) {
      const before = (await inner.load(key))?.value
      saves.push(`${key.split('/')[0]} ${options?.durable === false ? 'relaxed' : 'durable'} ${describeChange(before, value)}`)
      return inner.save(key, value, expectedVersion, options)
    },
  }
  return { store, saves }
}

// The top-level fields of a ledger value that a save changed (a new value: "new").
function describeChange(before: unknown, after: unknown): string {
  if (before === undefined) return 'new'
  const a = before as Record<string, unknown>
  const b = after as Record<string, unknown>
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'updatedAt' && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
  return fields.sort().join(',')
}

describe('ledger writes of a publish', () => {
  it('saves arrivals and the moving-tag claim durably, resolutions, publications and pushed tags relaxed', async () => {
    const { store, saves } = createNotingStore()
    const s = createScenario({}, { store })
    await s.push('demo/suffix', 'v1.0.2-amd64', 'linux/amd64')
    await s.test.idle()
    const first = saves.splice(0)
    expect(first).toEqual(['recent durable new', 'version durable new', 'version relaxed arrivals'])
    await s.push('demo/suffix', 'v1.0.2-arm64', 'linux/arm64')
    await s.test.idle()
    // The arrival, its resolution, the claim; then the version's PUT and latest's, concurrently.
    expect(saves.slice(0, 3)).toEqual(['version durable arrivals', 'version relaxed arrivals', 'image durable new'])
    expect(saves.slice(3).sort()).toEqual(['image relaxed tags', 'version relaxed publication'])
    expect(s.registry.getManifest('demo/suffix', 'latest')).toBeDefined()
  })
})
