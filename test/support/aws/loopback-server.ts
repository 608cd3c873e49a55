/**
 * A node:http server on 127.0.0.1 that hands each request, body read, to one async handler: the
 * base of the AWS fakes (Secrets Manager, ECR, Lambda Invoke) and the Function URL emulator.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { listenLoopback } from '../listen-loopback.ts'

export interface LoopbackRequest {
  method: string
  /** Path and query as sent. */
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
  sourceIp: string
}

export interface LoopbackResponse {
  status: number
  headers?: Record<string, string | string[]>
  body?: string | Uint8Array
}

export interface LoopbackServer {
  url: string
  stop(): Promise<void>
}

/** Starts the server; a handler that throws answers 500 with the message. */
export async function startLoopbackServer(handle: (request: LoopbackRequest) => Promise<LoopbackResponse> | LoopbackResponse): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), sourceIp: req.socket.remoteAddress ?? '127.0.0.1' }
      const answer = await Promise.resolve()
        .then(() => handle(request))
        .catch((error: unknown): LoopbackResponse => ({ status: 500, body: `fake failed: ${error instanceof Error ? error.message : String(error)}` }))
      res.writeHead(answer.status, answer.headers ?? {})
      res.end(answer.body === undefined ? undefined : answer.body)
    })
  })
  const { url, close } = await listenLoopback(server)
  return { url, stop: close }
}

/**
 * Answers the AWS JSON 1.1 protocol (Secrets Manager, ECR): `POST /` with `X-Amz-Target:
 * <prefix>.<Operation>`; an operation returns its output, or throws an AwsFault for an error.
 */
export function handleAwsJson(operations: Record<string, (input: any) => unknown>): (request: LoopbackRequest) => LoopbackResponse {
  return (request) => {
    const target = String(request.headers['x-amz-target'] ?? '')
    const operation = operations[target.slice(target.indexOf('.') + 1)]
    const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) })
    if (request.method !== 'POST' || !operation) return json(400, { __type: 'UnknownOperationException', message: `no fake for ${target}` })
    try {
      return json(200, operation(JSON.parse(request.body.toString('utf8') || '{}')))
    } catch (error) {
      if (error instanceof AwsFault) return json(error.status, { __type: error.type, message: error.message })
      throw error
    }
  }
}

/** An AWS error answer: `{"__type": type}` with an HTTP status (the SDK throws the matching exception). */
export class AwsFault extends Error {
  readonly type: string
  readonly status: number
  constructor(type: string, message: string, status = 400) {
    super(message)
    this.type = type
    this.status = status
  }
}
