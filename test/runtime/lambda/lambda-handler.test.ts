// The handler's own decisions, before any deps exist: unknown events and malformed work are logged
// and dropped (a retry cannot fix them), a request the function cannot serve yet gets the app's
// error format (500 for a broken config, 503 for what passes), and event invocations rethrow.
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.ts'
import { createJsonLogger } from '../../../src/log.ts'
import { createLambdaHandler } from '../../../src/runtime/lambda/lambda-handler.ts'
import { formatWorkEvent } from '../../../src/runtime/lambda/lambda-events.ts'
import type { LambdaRuntime } from '../../../src/runtime/lambda/lambda-runtime.ts'
import { SecretsUnavailableError } from '../../../src/runtime/lambda/secrets-cache.ts'

const context = { getRemainingTimeInMillis: () => 30_000 } as Context
const request = { version: '2.0', routeKey: '$default', rawPath: '/webhooks/distribution', rawQueryString: '', headers: {}, requestContext: { http: { method: 'POST', path: '/webhooks/distribution' } }, isBase64Encoded: false }

function setup(failure: Error) {
  const logs: Record<string, unknown>[] = []
  const prepared: unknown[] = []
  const runtime: LambdaRuntime = {
    log: createJsonLogger((line) => logs.push(JSON.parse(line)), 'debug'),
    prepare: async (scope) => {
      prepared.push(scope)
      throw failure
    },
  }
  return { handler: createLambdaHandler(runtime), logs, prepared }
}

describe('Lambda handler', () => {
  it('logs and drops unknown events and malformed work without preparing anything', async () => {
    const { handler, logs, prepared } = setup(new Error('unused'))
    expect(await handler({ source: 'aws.s3', 'detail-type': 'Object Created' }, context)).toBeUndefined()
    expect(await handler(JSON.parse(formatWorkEvent({ kind: 'explode' }, 1)), context)).toBeUndefined()
    expect(prepared).toEqual([])
    expect(logs).toMatchObject([
      { level: 'warn', msg: 'event ignored: not a request, ECR event, schedule or work item', event: 'aws.s3 / Object Created' },
      { level: 'error', msg: 'malformed work item dropped' },
    ])
  })

  it('answers 500 with the config problems, and 503 while secrets are unavailable', async () => {
    const broken = setup(new ConfigError(['images.0.target: not a repository']))
    expect(await broken.handler(request, context)).toEqual({
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'CONFIG_INVALID', message: 'invalid configuration:\n  images.0.target: not a repository' } }),
    })
    expect(broken.prepared).toEqual([{ hop: 0, remainingMs: 30_000 }])
    expect(broken.logs).toMatchObject([{ level: 'error', msg: 'request refused: the function is not ready', status: 500, issues: ['images.0.target: not a repository'] }])
    const waiting = setup(new SecretsUnavailableError('Secrets Manager: GetSecretValue of "s" failed (ThrottlingException)'))
    expect(await waiting.handler(request, context)).toMatchObject({ statusCode: 503 })
  })

  it('rethrows for events, so that Lambda retries them', async () => {
    const { handler, prepared } = setup(new SecretsUnavailableError('down'))
    await expect(handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context)).rejects.toThrow('down')
    await expect(handler(JSON.parse(formatWorkEvent({ kind: 'sweep' }, 3)), context)).rejects.toThrow('down')
    expect(prepared).toEqual([{ hop: 0, remainingMs: 30_000 }, { hop: 3, remainingMs: 30_000 }])
  })
})
