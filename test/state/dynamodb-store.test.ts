// The DynamoDB store against dynalite on loopback: the shared contract suite, then what is
// particular to DynamoDB (items as the CDK table holds them, expiry left to reads, short pages).
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDynamoDbStore } from '../../src/state/dynamodb-store.ts'
import { startDynalite, type Dynalite } from '../support/aws/dynalite.ts'
import { describeStoreContract } from './store-contract.ts'

let db: Dynalite
let tables = 0
beforeAll(async () => {
  db = await startDynalite()
})
afterAll(() => db.stop())

async function freshStore(now?: () => number) {
  const table = `contract-${tables++}`
  await db.createTable(table)
  return { table, store: createDynamoDbStore({ client: db.client, table, ...(now ? { now } : {}) }) }
}

describeStoreContract('dynamodb store (dynalite)', async (now) => (await freshStore(now)).store)

describe('dynamodb store items', () => {
  it('keeps pk = partition, sk = key, v, d, and exp (ms) + ttl (s) only for expiring entries', async () => {
    const { table, store } = await freshStore(() => 1_000)
    await store.save('version/org/app/v1', { a: 1 }, 0, { expiresAt: 90_500 })
    await store.save('sweep/record', { b: 2 }, 0)
    const { Items } = await db.client.send(new ScanCommand({ TableName: table }))
    const byKey = Object.fromEntries((Items ?? []).map((item) => [item.sk?.S, item]))
    expect(byKey['version/org/app/v1']).toEqual({ pk: { S: 'org/app' }, sk: { S: 'version/org/app/v1' }, v: { N: '1' }, d: { S: '{"a":1}' }, exp: { N: '90500' }, ttl: { N: '91' } })
    expect(byKey['sweep/record']).toEqual({ pk: { S: '#global' }, sk: { S: 'sweep/record' }, v: { N: '1' }, d: { S: '{"b":2}' } })
  })

  it('skips expired items that DynamoDB has not deleted yet, also across short pages', async () => {
    let at = 10_000
    const { table, store } = await freshStore(() => at)
    for (const version of ['v1', 'v2', 'v3', 'v4', 'v5']) await store.save(`version/org/app/${version}`, {}, 0, version === 'v5' ? {} : { expiresAt: 20_000 })
    // Written behind the store's back, as an item TTL had not removed yet.
    await db.client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'org/app' }, sk: { S: 'version/org/app/v0' }, v: { N: '3' }, d: { S: '{}' }, exp: { N: '5000' }, ttl: { N: '5' } } }))
    expect(await store.load('version/org/app/v0')).toBeUndefined()
    expect(await store.list('version/org/app/', { limit: 2 })).toEqual({ keys: ['version/org/app/v1', 'version/org/app/v2'], next: 'version/org/app/v2' })
    at = 20_000
    expect(await store.list('version/org/app/', { limit: 2 })).toEqual({ keys: ['version/org/app/v5'] })
    expect(await store.list('version/org/app/', { limit: 1, descending: true })).toEqual({ keys: ['version/org/app/v5'], next: 'version/org/app/v5' })
    expect(await store.list('version/org/app/', { limit: 1, descending: true, after: 'version/org/app/v5' })).toEqual({ keys: [] })
  })

  it('takes a cursor outside the prefix range without a DynamoDB validation error', async () => {
    const { store } = await freshStore()
    for (const version of ['v1', 'v2']) await store.save(`version/org/app/${version}`, {}, 0)
    expect(await store.list('version/org/app/', { after: 'version/org/a' })).toEqual({ keys: ['version/org/app/v1', 'version/org/app/v2'] })
    expect(await store.list('version/org/app/', { after: 'version/org/b' })).toEqual({ keys: [] })
    expect(await store.list('version/org/app/', { after: 'version/org/b', descending: true })).toEqual({ keys: ['version/org/app/v2', 'version/org/app/v1'] })
    expect(await store.list('version/org/app/', { after: 'version/org/a', descending: true })).toEqual({ keys: [] })
  })
})
