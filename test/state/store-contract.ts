// The one contract every StateStore adapter must meet; each adapter's test file runs it.
import { describe, expect, it } from 'vitest'
import type { StateStore } from '../../src/state/store.ts'
import { updateState } from '../../src/state/update-state.ts'

/** Registers the contract suite for a store created fresh by `create` for each test. */
export function describeStoreContract(name: string, create: () => Promise<StateStore> | StateStore): void {
  describe(`${name}: StateStore contract`, () => {
    const withStore = (test: (store: StateStore) => Promise<void>) => async () => {
      const store = await create()
      try {
        await test(store)
      } finally {
        await store.close?.()
      }
    }

    it('loads nothing for a missing key', withStore(async (store) => {
      expect(await store.load('version/x/1')).toBeUndefined()
    }))

    it('creates at version 1 and refuses a second create', withStore(async (store) => {
      expect(await store.save('k', { a: 1 }, 0)).toEqual({ ok: true, version: 1 })
      expect(await store.save('k', { a: 2 }, 0)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.load('k')).toEqual({ value: { a: 1 }, version: 1 })
    }))

    it('saves only at the expected version', withStore(async (store) => {
      await store.save('k', { n: 1 }, 0)
      expect(await store.save('k', { n: 2 }, 1)).toEqual({ ok: true, version: 2 })
      expect(await store.save('k', { n: 3 }, 1)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.save('missing', { n: 1 }, 3)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.load('k')).toEqual({ value: { n: 2 }, version: 2 })
    }))

    it('returns copies, not live references', withStore(async (store) => {
      const value = { list: [1] }
      await store.save('k', value, 0)
      value.list.push(2)
      const loaded = await store.load('k')
      ;(loaded?.value as { list: number[] }).list.push(3)
      expect((await store.load('k'))?.value).toEqual({ list: [1] })
    }))

    it('lists keys by prefix in order', withStore(async (store) => {
      for (const key of ['version/b/2', 'image/b', 'version/a/1', 'version/b/10', 'version/bb/1']) await store.save(key, {}, 0)
      expect(await store.list('version/b/')).toEqual(['version/b/10', 'version/b/2'])
      expect(await store.list('version/')).toEqual(['version/a/1', 'version/b/10', 'version/b/2', 'version/bb/1'])
      expect(await store.list('nothing/')).toEqual([])
      expect(await store.list('version/', { descending: true })).toEqual(['version/bb/1', 'version/b/2', 'version/b/10', 'version/a/1'])
      expect(await store.list('version/', { descending: true, limit: 2 })).toEqual(['version/bb/1', 'version/b/2'])
      expect(await store.list('version/', { limit: 1 })).toEqual(['version/a/1'])
      // `from`: only keys at or after it (within the prefix), in either order.
      expect(await store.list('version/', { from: 'version/b/2' })).toEqual(['version/b/2', 'version/bb/1'])
      expect(await store.list('version/', { from: 'version/b/2', descending: true })).toEqual(['version/bb/1', 'version/b/2'])
      expect(await store.list('version/b/', { from: 'version/a' })).toEqual(['version/b/10', 'version/b/2'])
      expect(await store.list('version/b/', { from: 'version/c' })).toEqual([])
    }))

    it('keeps unicode and large values intact', withStore(async (store) => {
      const value = { text: 'ü→𝄞', big: 'x'.repeat(200_000) }
      await store.save('k', value, 0)
      expect((await store.load('k'))?.value).toEqual(value)
    }))

    it('lets updateState start from a passed load and reload when it turned stale', withStore(async (store) => {
      await store.save('k', { n: 1 }, 0)
      const stale = await store.load('k')
      await store.save('k', { n: 2 }, 1)
      const seen: number[] = []
      const addTen = (current: { n: number } | undefined) => {
        seen.push(current?.n ?? 0)
        return { n: (current?.n ?? 0) + 10 }
      }
      const result = await updateState(store, 'k', addTen, { loaded: stale })
      expect(seen).toEqual([1, 2])
      expect(result).toEqual({ value: { n: 12 }, changed: true })
      expect(await store.load('k')).toEqual({ value: { n: 12 }, version: 3 })
    }))

    it('loses no update under 16 concurrent optimistic writers', withStore(async (store) => {
      await Promise.all(
        Array.from({ length: 16 }, (_, i) => updateState<{ seen: number[] }>(store, 'counter', (current) => ({ seen: [...(current?.seen ?? []), i] }), { attempts: 100 })),
      )
      const seen = ((await store.load('counter'))?.value as { seen: number[] }).seen
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i))
    }))
  })
}
