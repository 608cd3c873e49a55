// Property: whatever the schedule (duplicates, reordering, up to 16 concurrent deliveries, rebuilt
// arches, lost webhooks followed by a sweep), every store ends with exactly the right published
// indexes and moving tags, and identical input gives byte-identical index bytes; also when three
// instances share the store and run the work items shuffled, duplicated and concurrently.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as fc from 'fast-check'
import { afterAll, expect, it } from 'vitest'
import { createMemoryStore } from '../../src/state/memory-store.ts'
import { createSqliteStore } from '../../src/state/sqlite-store.ts'
import type { StateStore } from '../../src/state/store.ts'
import { runSchedule, scheduleArbitrary } from '../support/schedule.ts'

const RUNS = Number(process.env.SCHEDULE_RUNS ?? 1000)
// The SQLite files live on tmpfs where there is one: the adapter's code is what is under test here;
// its durability on disk is covered by test/state/sqlite-store.test.ts.
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'mh-schedules-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let sqliteFiles = 0
const STORES: Record<string, () => StateStore> = {
  memory: () => createMemoryStore(),
  sqlite: () => createSqliteStore(join(dir, `run-${sqliteFiles++}.db`)),
}

it(`holds for ${RUNS} random schedules against every store`, async () => {
  let runs = 0
  await fc.assert(
    fc.asyncProperty(scheduleArbitrary(), async (schedule) => {
      const outcomes = []
      for (const [name, create] of Object.entries(STORES)) {
        const store = create()
        try {
          outcomes.push(await runSchedule(schedule, store))
        } catch (error) {
          throw new Error(`${name} store: ${(error as Error).message}`)
        } finally {
          await store.close?.()
        }
      }
      const [first, ...rest] = outcomes
      for (const other of rest) expect(other).toEqual(first)
      runs++
    }),
    { numRuns: RUNS },
  )
  console.log(`schedules run: ${runs} (each against ${Object.keys(STORES).join(', ')})`)
  expect(runs).toBe(RUNS)
}, 600_000)

const INSTANCE_RUNS = Number(process.env.SCHEDULE_INSTANCE_RUNS ?? 200)

it(`holds for ${INSTANCE_RUNS} random schedules on 3 instances sharing one store, work items shuffled, duplicated and concurrent`, async () => {
  let runs = 0
  await fc.assert(
    fc.asyncProperty(scheduleArbitrary(), async (schedule) => {
      const single = await runSchedule(schedule, createMemoryStore())
      expect(await runSchedule(schedule, createMemoryStore(), { instances: 3 })).toEqual(single)
      runs++
    }),
    { numRuns: INSTANCE_RUNS },
  )
  expect(runs).toBe(INSTANCE_RUNS)
}, 600_000)
