import { describe, expect, it } from 'vitest'
import { classifyEvent, formatWorkEvent } from '../../../src/runtime/lambda/lambda-events.ts'

// Shapes as the services send them (trimmed): https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html,
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
const FUNCTION_URL = { version: '2.0', routeKey: '$default', rawPath: '/webhooks/distribution', rawQueryString: '', headers: {}, requestContext: { http: { method: 'POST' } }, isBase64Encoded: false }
const ECR = { version: '0', id: 'e1', 'detail-type': 'ECR Image Action', source: 'aws.ecr', account: '123456789012', time: '2026-12-03T07:00:00Z', region: 'eu-west-1', resources: [], detail: { result: 'SUCCESS', 'repository-name': 'demo/app', 'image-digest': 'sha256:ab', 'action-type': 'PUSH', 'image-tag': 'v1' } }
const SCHEDULE = { version: '0', id: 's1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-12-03T07:00:00Z', region: 'eu-west-1', resources: ['arn:aws:events:eu-west-1:123456789012:rule/Sweep'], detail: {} }

describe('classifyEvent', () => {
  it('tells the four kinds of invocation apart', () => {
    expect(classifyEvent(FUNCTION_URL)).toEqual({ kind: 'http', event: FUNCTION_URL })
    expect(classifyEvent(ECR)).toEqual({ kind: 'ecr', event: ECR })
    expect(classifyEvent(SCHEDULE)).toEqual({ kind: 'schedule' })
    expect(classifyEvent(JSON.parse(formatWorkEvent({ kind: 'process', image: 'a/b', version: 'v1' }, 3)))).toEqual({ kind: 'work', hop: 3, item: { kind: 'process', image: 'a/b', version: 'v1' } })
  })

  it('leaves everything else unknown, with what it was', () => {
    expect(classifyEvent({ ...ECR, 'detail-type': 'ECR Scan' })).toEqual({ kind: 'unknown', description: 'aws.ecr / ECR Scan' })
    expect(classifyEvent({ ...FUNCTION_URL, version: '1.0' })).toEqual({ kind: 'unknown', description: 'no source / no detail-type' })
    expect(classifyEvent('ping')).toEqual({ kind: 'unknown', description: 'string' })
    expect(classifyEvent(null)).toEqual({ kind: 'unknown', description: 'object' })
  })
})
