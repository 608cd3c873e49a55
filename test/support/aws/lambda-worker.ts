// One Lambda execution environment's runtime loop, as a child process of test/support/aws/
// lambda-environment.ts: imports the bundle named in argv (the cold start), then runs each event
// the parent sends through its `handler` with a Lambda-shaped context, one at a time as Lambda does.
// Plain erasable TypeScript: node runs it with type stripping.
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'

interface Invocation {
  id: number
  event: unknown
  timeoutMs: number
}

const bundle = process.argv[2]
if (!bundle) throw new Error('usage: lambda-worker.ts <bundle.mjs>')
const started = performance.now()
const loaded = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> }
process.send?.({ ready: true, importMs: performance.now() - started })

process.on('message', async (message: Invocation) => {
  const deadline = Date.now() + message.timeoutMs
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'manifest-hook'
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'fake',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  }
  try {
    const result = await loaded.handler(message.event, context)
    process.send?.({ id: message.id, ok: true, result })
  } catch (error) {
    process.send?.({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
  }
})
