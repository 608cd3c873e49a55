/**
 * The Lambda Invoke API for the real SDK client (AWS_ENDPOINT_URL_LAMBDA points at it):
 * `POST /2015-03-31/functions/<name>/invocations` with `X-Amz-Invocation-Type: Event` is accepted
 * with 202 and run later by `run` (the test gives each its own fresh environment); a failed run is
 * retried like the platform's asynchronous invocation (2 retries by default), and what still fails
 * lands in `deadLetters`, as the on-failure destination would get it.
 */
import { startLoopbackServer } from './loopback-server.ts'

export interface FakeInvocation {
  payload: unknown
  attempts: number
  outcome: 'pending' | 'succeeded' | 'failed'
  errors: string[]
}

export interface FakeLambda {
  url: string
  invocations: FakeInvocation[]
  deadLetters: FakeInvocation[]
  /** Resolves once no invocation is pending, including those queued by the runs themselves. */
  idle(): Promise<void>
  stop(): Promise<void>
}

export interface FakeLambdaOptions {
  functionName: string
  run(payload: unknown): Promise<void>
  maxRetries?: number
}

/** Starts the fake Invoke endpoint. */
export async function startFakeLambda(options: FakeLambdaOptions): Promise<FakeLambda> {
  const invocations: FakeInvocation[] = []
  const deadLetters: FakeInvocation[] = []
  const running = new Set<Promise<void>>()
  const maxRetries = options.maxRetries ?? 2
  const execute = async (invocation: FakeInvocation) => {
    while (invocation.outcome === 'pending') {
      invocation.attempts++
      try {
        await options.run(invocation.payload)
        invocation.outcome = 'succeeded'
      } catch (error) {
        invocation.errors.push(error instanceof Error ? error.message : String(error))
        if (invocation.attempts > maxRetries) {
          invocation.outcome = 'failed'
          deadLetters.push(invocation)
        }
      }
    }
  }
  const server = await startLoopbackServer((request) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url.split('?')[0] ?? '')
    const json = (status: number, type: string, message: string) => ({ status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: JSON.stringify({ Type: 'User', message }) })
    if (request.method !== 'POST' || !match) return json(404, 'UnknownOperationException', `no fake for ${request.method} ${request.url}`)
    if (decodeURIComponent(match[1] ?? '') !== options.functionName) return json(404, 'ResourceNotFoundException', `Function not found: ${match[1]}`)
    if (request.headers['x-amz-invocation-type'] !== 'Event') return json(400, 'InvalidParameterValueException', 'the fake runs only InvocationType Event')
    const invocation: FakeInvocation = { payload: JSON.parse(request.body.toString('utf8')), attempts: 0, outcome: 'pending', errors: [] }
    invocations.push(invocation)
    const done = execute(invocation).finally(() => running.delete(done))
    running.add(done)
    return { status: 202, headers: { 'x-amzn-requestid': `fake-${invocations.length}` } }
  })
  const idle = async () => {
    while (running.size > 0) await Promise.all([...running])
  }
  return { url: server.url, invocations, deadLetters, idle, stop: server.stop }
}
