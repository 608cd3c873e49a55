/**
 * The one contract every StateStore adapter must meet; each adapter's test file runs it:
 *
 *   describeStoreContract(name: string, create: (now: () => number) => StateStore | Promise<StateStore>)
 *
 * `create` is called once per test and returns an empty store (or one whose keys no other test
 * uses) that reads expiry against `now()` (epoch ms) instead of the host's clock; the suite moves
 * that clock forward. Runs under plain vitest, dynalite and workerd alike: it imports vitest and
 * src/state only (no node:*). Keys follow the real layout (version/<image>/<version>, …), so an
 * adapter partitioning by `partitionOf(key)` sees realistic partitions.
 */
import { describe, expect, it } from 'vitest'
import { listKeys, MAX_VALUE_BYTES, saveInOrder, versionKey, type ListOptions, type StateStore } from '../../src/state/store.ts'
import { updateState } from '../../src/state/update-state.ts'

/** Registers the contract suite for a store created fresh by `create` for each test. */
export function describeStoreContract(name: string, create: (now: () => number) => Promise<StateStore> | StateStore): void {
  describe(`${name}: StateStore contract`, () => {
    const withStore = (test: (store: StateStore, clock: { advance(ms: number): void; now(): number }) => Promise<void>) => async () => {
      let at = Date.UTC(2026, 0, 1)
      const clock = { now: () => at, advance: (ms: number) => void (at += ms) }
      const store = await create(clock.now)
      try {
        await test(store, clock)
      } finally {
        await store.close?.()
      }
    }
    const app = (version: string) => versionKey('org/app', version)

    it('loads nothing for a missing key', withStore(async (store) => {
      expect(await store.load(app('v1'))).toBeUndefined()
    }))

    it('creates at version 1 and refuses a second create', withStore(async (store) => {
      expect(await store.save(app('v1'), { a: 1 }, 0)).toEqual({ ok: true, version: 1 })
      expect(await store.save(app('v1'), { a: 2 }, 0)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.load(app('v1'))).toEqual({ value: { a: 1 }, version: 1 })
    }))

    it('saves only at the expected version', withStore(async (store) => {
      await store.save('sweep/record', { n: 1 }, 0)
      expect(await store.save('sweep/record', { n: 2 }, 1)).toEqual({ ok: true, version: 2 })
      expect(await store.save('sweep/record', { n: 3 }, 1)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.save(app('missing'), { n: 1 }, 3)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.load('sweep/record')).toEqual({ value: { n: 2 }, version: 2 })
    }))

    it('returns copies, not live references', withStore(async (store) => {
      const value = { list: [1] }
      await store.save('image/org/app', value, 0)
      value.list.push(2)
      const loaded = await store.load('image/org/app')
      ;(loaded?.value as { list: number[] }).list.push(3)
      expect((await store.load('image/org/app'))?.value).toEqual({ list: [1] })
    }))

    it('deletes only at the expected version, and a deleted key is created again at version 1', withStore(async (store) => {
      await store.save(app('v1'), { n: 1 }, 0)
      await store.save(app('v1'), { n: 2 }, 1)
      expect(await store.delete(app('v1'), 1)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.delete(app('v1'), 0)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.load(app('v1'))).toEqual({ value: { n: 2 }, version: 2 })
      expect(await store.delete(app('v1'), 2)).toEqual({ ok: true, version: 0 })
      expect(await store.load(app('v1'))).toBeUndefined()
      expect((await store.list('version/org/app/')).keys).toEqual([])
      expect(await store.delete(app('v1'), 2)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.delete(app('never'), 1)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.save(app('v1'), { n: 3 }, 0)).toEqual({ ok: true, version: 1 })
    }))

    it('lists the keys of a prefix in order, inside one partition', withStore(async (store) => {
      const keys = [app('v2'), 'image/org/app', app('v1'), app('v10'), versionKey('org/app-b', 'v1'), 'recent/org/app/2026-01-01T00:00:00.000Z/v1']
      for (const key of keys) await store.save(key, {}, 0)
      expect(await store.list('version/org/app/')).toEqual({ keys: [app('v1'), app('v10'), app('v2')] })
      expect(await store.list('version/org/app/', { descending: true })).toEqual({ keys: [app('v2'), app('v10'), app('v1')] })
      expect(await store.list('version/org/nothing/')).toEqual({ keys: [] })
      // `from` is inclusive: a lower bound ascending, an upper bound descending.
      expect(await store.list('version/org/app/', { from: app('v10') })).toEqual({ keys: [app('v10'), app('v2')] })
      expect(await store.list('version/org/app/', { from: app('v10'), descending: true })).toEqual({ keys: [app('v10'), app('v1')] })
      expect(await store.list('version/org/app/', { from: 'version/org/a' })).toEqual({ keys: [app('v1'), app('v10'), app('v2')] })
      expect(await store.list('version/org/app/', { from: 'version/org/b' })).toEqual({ keys: [] })
      expect(await store.list('version/org/app/', { from: 'version/org/b', descending: true })).toEqual({ keys: [app('v2'), app('v10'), app('v1')] })
    }))

    it('pages with limit and next, ascending and descending, from any starting point', withStore(async (store) => {
      const all = ['v01', 'v02', 'v03', 'v04', 'v05', 'v06', 'v07'].map(app)
      for (const key of [...all].reverse()) await store.save(key, {}, 0)
      await store.save(versionKey('org/app-b', 'v01'), {}, 0)
      const walk = async (options: ListOptions) => {
        const seen: string[] = []
        let after: string | undefined
        for (let pages = 0; pages < 20; pages++) {
          const page = await store.list('version/org/app/', { ...options, ...(after === undefined ? {} : { after }) })
          expect(page.keys.length).toBeLessThanOrEqual(options.limit ?? all.length)
          seen.push(...page.keys)
          if (page.next === undefined) return seen
          after = page.next
        }
        throw new Error('list kept returning next')
      }
      expect(await walk({ limit: 3 })).toEqual(all)
      expect(await walk({ limit: 1 })).toEqual(all)
      expect(await walk({ limit: 3, descending: true })).toEqual([...all].reverse())
      expect(await walk({ limit: 2, from: app('v03') })).toEqual(all.slice(2))
      expect(await walk({ limit: 2, from: app('v05'), descending: true })).toEqual(all.slice(0, 5).reverse())
      expect(await walk({ limit: 10 })).toEqual(all)
      // listKeys follows next, up to a total when given one.
      expect(await listKeys(store, 'version/org/app/', { limit: 5 })).toEqual(all.slice(0, 5))
      expect(await listKeys(store, 'version/org/app/', { limit: 4, descending: true })).toEqual([...all].reverse().slice(0, 4))
      expect(await listKeys(store, 'version/org/app/')).toEqual(all)
      expect(await listKeys(store, 'version/org/app/', { limit: 0 })).toEqual([])
    }))

    it('reads an expired entry as absent everywhere, and creates it again at version 1', withStore(async (store, clock) => {
      const start = clock.now()
      expect(await store.save(app('v1'), { n: 1 }, 0, { expiresAt: start + 1000 })).toEqual({ ok: true, version: 1 })
      expect(await store.save(app('v2'), { n: 1 }, 0)).toEqual({ ok: true, version: 1 })
      expect(await store.save(app('v1'), { n: 2 }, 1, { expiresAt: start + 2000 })).toEqual({ ok: true, version: 2 })
      clock.advance(1999)
      expect(await store.load(app('v1'))).toEqual({ value: { n: 2 }, version: 2 })
      expect((await store.list('version/org/app/')).keys).toEqual([app('v1'), app('v2')])
      clock.advance(1)
      expect(await store.load(app('v1'))).toBeUndefined()
      expect((await store.list('version/org/app/')).keys).toEqual([app('v2')])
      expect(await store.save(app('v1'), { n: 3 }, 2)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.delete(app('v1'), 2)).toEqual({ ok: false, reason: 'conflict' })
      expect(await store.save(app('v1'), { n: 3 }, 0)).toEqual({ ok: true, version: 1 })
      // A save without expiresAt never expires, whatever the previous save said.
      clock.advance(10 * 365 * 86_400_000)
      expect(await store.load(app('v1'))).toEqual({ value: { n: 3 }, version: 1 })
      expect(await store.save(app('v3'), { n: 1 }, 0, { expiresAt: clock.now() })).toEqual({ ok: true, version: 1 })
      expect(await store.load(app('v3'))).toBeUndefined()
    }))

    it(`refuses a value over ${MAX_VALUE_BYTES} bytes of UTF-8 JSON and writes nothing`, withStore(async (store) => {
      // {"t":"…"} is 8 bytes around the text; ü is 2 bytes in UTF-8.
      const exactly = { t: 'ü'.repeat((MAX_VALUE_BYTES - 8) / 2) }
      const over = { t: `${exactly.t}ü` }
      expect(await store.save(app('v1'), over, 0)).toEqual({ ok: false, reason: 'too-large' })
      expect(await store.load(app('v1'))).toBeUndefined()
      expect(await store.save(app('v1'), exactly, 0)).toEqual({ ok: true, version: 1 })
      expect(await store.save(app('v1'), over, 1)).toEqual({ ok: false, reason: 'too-large' })
      expect(await store.load(app('v1'))).toEqual({ value: exactly, version: 1 })
      await expect(updateState(store, app('v1'), () => over)).rejects.toMatchObject({ code: 'STATE_TOO_LARGE' })
    }))

    it('keeps unicode and large values intact', withStore(async (store) => {
      const value = { text: 'ü→𝄞', big: 'x'.repeat(100_000) }
      await store.save(app('v1'), value, 0)
      expect((await store.load(app('v1')))?.value).toEqual(value)
    }))

    it('lets updateState start from a passed load and reload when it turned stale', withStore(async (store) => {
      await store.save(app('v1'), { n: 1 }, 0)
      const stale = await store.load(app('v1'))
      await store.save(app('v1'), { n: 2 }, 1)
      const seen: number[] = []
      const addTen = (current: { n: number } | undefined) => {
        seen.push(current?.n ?? 0)
        return { n: (current?.n ?? 0) + 10 }
      }
      const result = await updateState(store, app('v1'), addTen, { loaded: stale })
      expect(seen).toEqual([1, 2])
      expect(result).toEqual({ value: { n: 12 }, changed: true })
      expect(await store.load(app('v1'))).toEqual({ value: { n: 12 }, version: 3 })
    }))

    it('saves several keys in order through saveInOrder, each write conditional on its own', withStore(async (store) => {
      const marker = 'recent/org/app/2026-01-01T00:00:00.000Z/v1'
      await store.save(app('v2'), { taken: true }, 0)
      const results = await saveInOrder(store, [
        { key: marker, value: { version: 'v1' }, expectedVersion: 0 },
        { key: app('v1'), value: { n: 1 }, expectedVersion: 0 },
        { key: app('v1'), value: { n: 2 }, expectedVersion: 1 },
        { key: app('v2'), value: { taken: false }, expectedVersion: 0 },
      ])
      expect(results).toEqual([{ ok: true, version: 1 }, { ok: true, version: 1 }, { ok: true, version: 2 }, { ok: false, reason: 'conflict' }])
      expect(await store.load(marker)).toEqual({ value: { version: 'v1' }, version: 1 })
      expect(await store.load(app('v1'))).toEqual({ value: { n: 2 }, version: 2 })
      expect(await store.load(app('v2'))).toEqual({ value: { taken: true }, version: 1 })
    }))

    it('loses no update under 16 concurrent optimistic writers', withStore(async (store) => {
      await Promise.all(
        Array.from({ length: 16 }, (_, i) => updateState<{ seen: number[] }>(store, 'image/org/app', (current) => ({ seen: [...(current?.seen ?? []), i] }), { attempts: 100 })),
      )
      const seen = ((await store.load('image/org/app'))?.value as { seen: number[] }).seen
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i))
    }))
  })
}
