/**
 * What reaches the function, told apart by shape: Function URL / API Gateway HTTP API requests
 * (payload format 2.0), EventBridge `ECR Image Action` events, EventBridge scheduled events, and
 * our own work hand-offs (an async Invoke of this function with a work-item envelope).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

/** The `kind` of a work hand-off's payload. */
export const WORK_EVENT = 'manifest-hook.work'

export type LambdaEvent =
  | { kind: 'http'; event: APIGatewayProxyEventV2 }
  | { kind: 'ecr'; event: Record<string, unknown> }
  | { kind: 'schedule' }
  /** `hop`: how many hand-offs deep this invocation is (0 for work handed on by a webhook, ECR event or schedule). */
  | { kind: 'work'; hop: number; item: unknown }
  | { kind: 'unknown'; description: string }

/** Classifies one invocation's event. */
export function classifyEvent(event: unknown): LambdaEvent {
  if (typeof event !== 'object' || event === null) return { kind: 'unknown', description: typeof event }
  const fields = event as Record<string, unknown>
  // Payload 2.0 (Function URLs, HTTP APIs): https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
  if (fields.version === '2.0' && typeof fields.rawPath === 'string' && typeof fields.requestContext === 'object') {
    return { kind: 'http', event: event as APIGatewayProxyEventV2 }
  }
  if (fields.kind === WORK_EVENT) return { kind: 'work', hop: typeof fields.hop === 'number' ? fields.hop : 0, item: fields.item }
  const source = fields.source
  const detailType = fields['detail-type']
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html
  if (source === 'aws.ecr' && detailType === 'ECR Image Action') return { kind: 'ecr', event: fields }
  // Rules with a schedule expression: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
  if (source === 'aws.events' && detailType === 'Scheduled Event') return { kind: 'schedule' }
  return { kind: 'unknown', description: `${String(source ?? 'no source')} / ${String(detailType ?? 'no detail-type')}` }
}

/** The payload of a work hand-off. */
export function formatWorkEvent(item: unknown, hop: number): string {
  return JSON.stringify({ kind: WORK_EVENT, hop, item })
}
