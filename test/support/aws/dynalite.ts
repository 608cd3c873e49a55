/**
 * DynamoDB on loopback: dynalite (a real DynamoDB API over LevelDB, in memory) and the table the
 * CDK app creates (pk/sk strings), for the store's contract suite and the Lambda end-to-end test.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { HarnessError } from '../tools.ts'

export interface Dynalite {
  url: string
  /** A client with dummy credentials pointed at the emulator. */
  client: DynamoDBClient
  /** Creates a table with the store's key schema. */
  createTable(name: string): Promise<void>
  stop(): Promise<void>
}

/** Starts dynalite on 127.0.0.1 (tables are ACTIVE at once). */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new HarnessError('dynalite has no TCP address')
  const url = `http://127.0.0.1:${address.port}`
  const client = new DynamoDBClient({ endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } })
  const createTable = async (name: string) => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    )
  }
  const stop = async () => {
    client.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return { url, client, createTable, stop }
}
