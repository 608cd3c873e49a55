// The schedules property (duplicates, reordering, up to 16 concurrent deliveries, rebuilt arches,
// lost webhooks and a sweep) with the DynamoDB store over dynalite: the same published indexes and
// moving tags as the memory store. Fewer runs than the memory/SQLite property: every store call
// is an HTTP round trip to the emulator.
import * as fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDynamoDbStore } from '../../src/state/dynamodb-store.ts'
import { createMemoryStore } from '../../src/state/memory-store.ts'
import { startDynalite, type Dynalite } from '../support/aws/dynalite.ts'
import { runSchedule, scheduleArbitrary } from '../support/schedule.ts'

const RUNS = Number(process.env.SCHEDULE_DYNAMODB_RUNS ?? 10)
let db: Dynalite
beforeAll(async () => {
  db = await startDynalite()
})
afterAll(() => db.stop())

it(`holds for ${RUNS} random schedules with the DynamoDB store as with the memory store`, async () => {
  let runs = 0
  await fc.assert(
    fc.asyncProperty(scheduleArbitrary(), async (schedule) => {
      const table = `schedule-${runs}`
      await db.createTable(table)
      const dynamo = await runSchedule(schedule, createDynamoDbStore({ client: db.client, table }))
      expect(dynamo).toEqual(await runSchedule(schedule, createMemoryStore()))
      runs++
    }),
    { numRuns: RUNS },
  )
  expect(runs).toBe(RUNS)
}, 300_000)
