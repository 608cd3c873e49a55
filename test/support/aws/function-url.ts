/**
 * A Lambda Function URL on loopback: each HTTP request becomes a payload format 2.0 event, as the
 * Lambda service builds it (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html),
 * runs in an idle execution environment (a new one when all are busy, as Lambda scales), and the
 * handler's result becomes the HTTP response.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import type { LambdaEnvironment } from './lambda-environment.ts'
import { startLoopbackServer, type LoopbackRequest, type LoopbackResponse } from './loopback-server.ts'

export interface FunctionUrl {
  url: string
  /** Every environment started so far (their peak RSS, their import time). */
  environments: LambdaEnvironment[]
  stop(): Promise<void>
}

// Function URLs pass text bodies as they are and base64-encode the rest (isBase64Encoded: true).
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)\b)/i

/** Starts the emulator; `start` makes a new environment when none is idle. */
export async function startFunctionUrl(start: () => Promise<LambdaEnvironment>): Promise<FunctionUrl> {
  const environments: LambdaEnvironment[] = []
  const idle: LambdaEnvironment[] = []
  const startEnvironment = async () => {
    const created = await start()
    environments.push(created)
    return created
  }
  const server = await startLoopbackServer(async (request) => {
    const environment = idle.pop() ?? (await startEnvironment())
    try {
      return formatResponse((await environment.invoke(buildEvent(request))) as APIGatewayProxyStructuredResultV2 | string)
    } finally {
      idle.push(environment)
    }
  })
  const stop = async () => {
    await server.stop()
    await Promise.all(environments.map((environment) => environment.stop()))
  }
  return { url: server.url, environments, stop }
}

/** The payload 2.0 event of one request. */
export function buildEvent(request: LoopbackRequest, now = new Date()): APIGatewayProxyEventV2 {
  const [path = '/', rawQueryString = ''] = request.url.split(/\?(.*)/s)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  const query = new URLSearchParams(rawQueryString)
  const queryStringParameters = Object.fromEntries([...new Set(query.keys())].map((key) => [key, query.getAll(key).join(',')]))
  const text = TEXT_TYPES.test(headers['content-type'] ?? '')
  const cookies = request.headers.cookie?.split(/;\s*/)
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fakeurlid',
      domainName: 'fakeurlid.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'fakeurlid',
      http: { method: request.method, path, protocol: 'HTTP/1.1', sourceIp: request.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(request.body.byteLength > 0 ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: request.body.byteLength > 0 && !text,
  }
}

// A string result is a 200 JSON body; an object is taken field by field (Function URL response rules).
function formatResponse(result: APIGatewayProxyStructuredResultV2 | string): LoopbackResponse {
  if (typeof result === 'string') return { status: 200, headers: { 'content-type': 'application/json' }, body: result }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value)
  if (result.cookies?.length) headers['set-cookie'] = result.cookies
  const body = result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body
  return { status: result.statusCode ?? 200, headers, ...(body === undefined ? {} : { body }) }
}
