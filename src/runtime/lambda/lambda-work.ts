/**
 * Work after the response, on Lambda: each work item is handed to an asynchronous invocation of
 * this same function (Invoke, InvocationType Event), which the platform retries and, failing
 * that, sends to the on-failure destination. Hand-offs fan out (one invocation hands on many
 * items) and chains are cut well before Lambda's recursive loop detection (16 hops): work beyond
 * MAX_HOPS is left in the state, where the next scheduled sweep finds it and starts a new chain.
 */
import type { Logger } from '../../log.ts'
import { workItemKey, type WorkItem } from '../../pipeline/work-item.ts'
import { loadLambdaClient } from './aws-clients.ts'
import { formatWorkEvent } from './lambda-events.ts'

/** Hand-offs one chain may make; Lambda stops a chain at 16 (toolchain.md §7). */
export const MAX_HOPS = 8

export interface LambdaWorkOptions {
  /** How deep the current invocation is (0: started by a request, an ECR event or the schedule). */
  hop: number
  log: Logger
  /** Invokes the function asynchronously with `payload`. */
  invoke(payload: string): Promise<void>
}

/** The `deps.work` of one invocation: each item once, handed on at hop + 1. */
export function createLambdaWork(options: LambdaWorkOptions): { enqueue(item: WorkItem): Promise<void> } {
  const handed = new Set<string>()
  return {
    async enqueue(item) {
      const key = workItemKey(item)
      if (handed.has(key)) return
      handed.add(key)
      const hop = options.hop + 1
      if (hop > MAX_HOPS) {
        options.log.warn('work left for the scheduled sweep: hand-off chain too deep', { work: key, hop })
        return
      }
      await options.invoke(formatWorkEvent(item, hop))
    },
  }
}

/** Invokes the function named by AWS_LAMBDA_FUNCTION_NAME with InvocationType Event. */
export async function invokeSelf(functionName: string, payload: string): Promise<void> {
  const [client, { InvokeCommand }] = await Promise.all([loadLambdaClient(), import('@aws-sdk/client-lambda')])
  await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }))
}
