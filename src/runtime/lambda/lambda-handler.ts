/**
 * The function's one handler: Function URL / HTTP API requests go to the Hono app, ECR events to
 * trusted ingest (IAM authenticated them), scheduled events to the periodic sweep, work hand-offs
 * to the work dispatcher. A failed event invocation throws, so that Lambda retries it and finally sends
 * it to the on-failure destination; malformed work is logged and dropped (a retry cannot fix it).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda'
import { handle, type LambdaEvent } from 'hono/aws-lambda'
import { LinearRouter } from 'hono/router/linear-router'
import { createApp } from '../../app.ts'
import type { Deps } from '../../deps.ts'
import { isAppError } from '../../errors.ts'
import { ingestTrusted } from '../../pipeline/ingest-delivery.ts'
import { parseWorkItem, type WorkItem } from '../../pipeline/work-item.ts'
import { classifyEvent } from './lambda-events.ts'
import type { LambdaRuntime } from './lambda-runtime.ts'

/** Creates `handler(event, context)`. */
export function createLambdaHandler(runtime: LambdaRuntime): (event: unknown, context: Context) => Promise<APIGatewayProxyResultV2 | void> {
  return async (event, context) => {
    const classified = classifyEvent(event)
    const remainingMs = context.getRemainingTimeInMillis()
    switch (classified.kind) {
      case 'http':
        return answerHttp(runtime, classified.event, context)
      case 'ecr': {
        const deps = await runtime.prepare({ hop: 0, remainingMs })
        const report = await ingestTrusted(deps, 'ecr', classified.event)
        runtime.log.info('ECR event ingested', { accepted: report.accepted.length, ignored: report.ignored.length })
        return
      }
      case 'schedule':
        // The sweep work item without an image is the periodic sweep (fanned out per image where the core does).
        return runWork(await runtime.prepare({ hop: 0, remainingMs }), { kind: 'sweep' })
      case 'work': {
        let item
        try {
          item = parseWorkItem(classified.item)
        } catch (error) {
          runtime.log.error('malformed work item dropped', { error: error instanceof Error ? error.message : String(error) })
          return
        }
        return runWork(await runtime.prepare({ hop: classified.hop, remainingMs }), item)
      }
      case 'unknown':
        runtime.log.warn('event ignored: not a request, ECR event, schedule or work item', { event: classified.description })
        return
    }
  }
}

// The work dispatcher (publishing, sweeps, notifications) is a lazy chunk: a webhook only records arrivals.
async function runWork(deps: Deps, item: WorkItem): Promise<void> {
  const { runWorkItem } = await import('../../pipeline/run-work-item.ts')
  return runWorkItem(deps, item)
}

// Before the app exists (configuration or secrets unavailable) the answer is built here, in the
// app's error format: 503 for what passes (Secrets Manager), so that senders retry.
async function answerHttp(runtime: LambdaRuntime, event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> {
  let deps
  try {
    deps = await runtime.prepare({ hop: 0, remainingMs: context.getRemainingTimeInMillis() })
  } catch (error) {
    const known = isAppError(error)
    const status = known && 'temporary' in error && error.temporary === true ? 503 : 500
    const issues = known && 'issues' in error && Array.isArray(error.issues) ? error.issues : undefined
    runtime.log.error('request refused: the function is not ready', { path: event.rawPath, status, error: known ? error.message : String(error), ...(issues ? { issues } : {}) })
    const body = { error: { code: known ? error.code : 'INTERNAL', message: known ? error.message : 'internal error' } }
    return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  }
  // hono declares its own copy of the payload 2.0 type; @types/aws-lambda's is the same shape.
  // An app per invocation: LinearRouter adds the routes without compiling them (app.ts).
  return handle(createApp(deps, () => new LinearRouter()))(event as unknown as LambdaEvent, context) as Promise<APIGatewayProxyResultV2>
}
