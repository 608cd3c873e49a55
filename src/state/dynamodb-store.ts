/**
 * DynamoDB StateStore: one table, partition key `pk` = partitionOf(key), sort key `sk` = the key,
 * and per item `v` (version), `d` (the value's JSON), and for expiring entries `exp` (epoch ms,
 * what reads filter on) and `ttl` (epoch seconds, for DynamoDB's TTL deletion, which is lazy: up
 * to days late, so every read filters on `exp`). Conditional writes give the compare-and-set; no
 * transactions and no TTL deletion are relied on (dynalite, the test emulator, has neither).
 * Imported lazily by the Lambda runtime: this module pulls in @aws-sdk/client-dynamodb.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb'
import { isTooLarge, partitionOf, type ListPage, type SaveResult, type StateStore } from './store.ts'

export interface DynamoDbStoreOptions {
  client: DynamoDBClient
  table: string
  /** The clock expiry is read against (epoch ms). */
  now?: () => number
}

// `ttl` is a DynamoDB reserved word; every attribute goes through a name placeholder alike.
const NAMES = { '#pk': 'pk', '#sk': 'sk', '#v': 'v', '#exp': 'exp' }
const LIVE = '(attribute_not_exists(#exp) OR #exp > :now)'
// Above every character a key can hold: sk values compare as UTF-8 bytes.
const KEY_END = '\u{10FFFF}'

/** Creates the store over an existing table (the CDK app creates it; tests create it in dynalite). */
export function createDynamoDbStore(options: DynamoDbStoreOptions): StateStore {
  const { client, table } = options
  const now = options.now ?? Date.now
  const keyOf = (key: string) => ({ pk: { S: partitionOf(key) }, sk: { S: key } })
  const conditional = async (write: () => Promise<unknown>, version: number): Promise<SaveResult> => {
    try {
      await write()
      return { ok: true, version }
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { ok: false, reason: 'conflict' }
      throw error
    }
  }
  return {
    async load(key) {
      const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: keyOf(key), ConsistentRead: true }))
      if (!Item || !isLive(Item, now())) return undefined
      return { value: JSON.parse(Item.d?.S ?? 'null'), version: Number(Item.v?.N) }
    },
    async save(key, value, expectedVersion, saveOptions = {}) {
      const json = JSON.stringify(value)
      if (isTooLarge(json)) return { ok: false, reason: 'too-large' }
      const { expiresAt } = saveOptions
      const item: Record<string, AttributeValue> = { ...keyOf(key), v: { N: String(expectedVersion + 1) }, d: { S: json } }
      if (expiresAt !== undefined) Object.assign(item, { exp: { N: String(expiresAt) }, ttl: { N: String(Math.ceil(expiresAt / 1000)) } })
      // Version 0: absent or expired (an expired item still there is overwritten, its version restarting at 1).
      const condition = expectedVersion === 0 ? `attribute_not_exists(#sk) OR NOT ${LIVE}` : `#v = :expected AND ${LIVE}`
      const values = { ':now': { N: String(now()) }, ...(expectedVersion === 0 ? {} : { ':expected': { N: String(expectedVersion) } }) }
      const put = new PutItemCommand({ TableName: table, Item: item, ConditionExpression: condition, ExpressionAttributeNames: pick(condition), ExpressionAttributeValues: values })
      return conditional(() => client.send(put), expectedVersion + 1)
    },
    async delete(key, expectedVersion) {
      if (expectedVersion === 0) return { ok: false, reason: 'conflict' }
      const condition = `#v = :expected AND ${LIVE}`
      const values = { ':now': { N: String(now()) }, ':expected': { N: String(expectedVersion) } }
      const command = new DeleteItemCommand({ TableName: table, Key: keyOf(key), ConditionExpression: condition, ExpressionAttributeNames: pick(condition), ExpressionAttributeValues: values })
      return conditional(() => client.send(command), 0)
    },
    list: (prefix, listOptions = {}) => listPage(client, table, now(), prefix, listOptions),
  }
}

function isLive(item: Record<string, AttributeValue>, now: number): boolean {
  return item.exp?.N === undefined || Number(item.exp.N) > now
}

function pick(expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([name]) => expression.includes(name)))
}

/**
 * One page of keys: Queries of the prefix's partition, from `after` (ExclusiveStartKey) or
 * between `from` and the prefix's end, until `limit` live keys are found or the range ends
 * (DynamoDB applies the expiry filter after Limit and stops a page at 1 MB: a page may be short).
 */
async function listPage(client: DynamoDBClient, table: string, now: number, prefix: string, options: Parameters<StateStore['list']>[1] = {}): Promise<ListPage> {
  const { descending = false, from, after, limit } = options
  const pk = partitionOf(prefix)
  const low = !descending && from !== undefined && from > prefix ? from : prefix
  const high = descending && from !== undefined && from < prefix + KEY_END ? from : prefix + KEY_END
  // DynamoDB refuses an ExclusiveStartKey outside the key condition's range ("The provided
  // starting key is outside query boundaries"): a cursor before the range is dropped, one past it ends.
  const beyond = after !== undefined && (descending ? after <= low : after >= high)
  if (low > high || beyond || limit === 0) return { keys: [] }
  const inRange = after !== undefined && (descending ? after <= high : after >= low)
  const input: QueryCommandInput = {
    TableName: table,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
    FilterExpression: LIVE,
    ProjectionExpression: '#sk',
    ExpressionAttributeNames: pick(`#pk #sk ${LIVE}`),
    ExpressionAttributeValues: { ':pk': { S: pk }, ':low': { S: low }, ':high': { S: high }, ':now': { N: String(now) } },
    ScanIndexForward: !descending,
    ConsistentRead: true,
  }
  const keys: string[] = []
  let start: Record<string, AttributeValue> | undefined = inRange ? { pk: { S: pk }, sk: { S: after } } : undefined
  do {
    const remaining = limit === undefined ? undefined : limit - keys.length
    const page = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}), ...(remaining === undefined ? {} : { Limit: remaining }) }))
    for (const item of page.Items ?? []) keys.push(item.sk?.S ?? '')
    start = page.LastEvaluatedKey
  } while (start && (limit === undefined || keys.length < limit))
  const last = keys[keys.length - 1]
  return start && last !== undefined ? { keys, next: last } : start ? { keys, next: start.sk?.S ?? '' } : { keys }
}
