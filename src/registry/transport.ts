/**
 * The bottom of the client's request stack: injected `fetch` plus User-Agent, manual redirects and
 * retries of temporary failures (exponential backoff with jitter, Retry-After, an overall deadline).
 */
import type { Logger } from '../log.ts'
import { discardBody, readPrefix } from './body.ts'
import { ERROR_BODY_LIMIT, hasTemporaryCode, isTemporaryStatus, parseOciErrors, RegistryError } from './errors.ts'

/** One HTTP request as the client layers pass it down. */
export interface TransportRequest {
  method: string
  url: URL
  headers?: Record<string, string>
  /** Bytes can be replayed (and retried); a stream is sent once. */
  body?: Uint8Array | ReadableStream<Uint8Array>
  /** Absolute time (ms, `now()` clock) after which no retry is started. */
  deadline?: number
}

/** Sends one request through a layer of the stack. */
export type Send = (request: TransportRequest) => Promise<Response>

/** Retry limits; `attempts` counts the first try. */
export interface RetryPolicy {
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  deadlineMs: number
}

/** What the transport needs from its environment. */
export interface TransportOptions {
  fetch: typeof fetch
  userAgent: string
  retry: RetryPolicy
  sleep: (ms: number) => Promise<void>
  now: () => number
  log: Logger
}

type Attempt = { response: Response; temporary: boolean } | { error: unknown; temporary: boolean }

/** Creates the retrying transport; throws RegistryError 'network' when fetch itself keeps failing. */
export function createTransport(options: TransportOptions): Send {
  return async (request) => {
    const deadline = request.deadline ?? options.now() + options.retry.deadlineMs
    const replayable = !(request.body instanceof ReadableStream)
    for (let attempt = 1; ; attempt++) {
      const outcome = await sendOnce(options, request)
      const delay = outcome.temporary ? retryDelay(options, attempt, outcome) : Number.POSITIVE_INFINITY
      const retry = replayable && attempt < options.retry.attempts && options.now() + delay <= deadline
      if (!retry) return finish(request, outcome)
      if ('response' in outcome) await discardBody(outcome.response)
      const status = 'response' in outcome ? outcome.response.status : 'network error'
      options.log.warn('registry request retried', { method: request.method, url: request.url.href, status, attempt, delayMs: delay })
      await options.sleep(delay)
    }
  }
}

async function sendOnce(options: TransportOptions, request: TransportRequest): Promise<Attempt> {
  const headers = { 'User-Agent': options.userAgent, ...request.headers }
  const init = { method: request.method, headers, body: request.body ?? null, redirect: 'manual' as const }
  // Streaming request bodies need `duplex: 'half'` (fetch spec; undici and Workers enforce it).
  const streaming = request.body instanceof ReadableStream ? { duplex: 'half' } : {}
  let response: Response
  try {
    response = await options.fetch(request.url, { ...init, ...streaming } as RequestInit)
  } catch (error) {
    // fetch rejects with a TypeError on DNS, connection and TLS failures.
    return { error, temporary: error instanceof TypeError }
  }
  return classify(response, request.method)
}

// An error response is buffered (capped) so that its OCI codes can decide, and callers still read it.
async function classify(response: Response, method: string): Promise<Attempt> {
  if (response.status < 400) return { response, temporary: false }
  if (isTemporaryStatus(response.status) || method === 'HEAD') {
    return { response, temporary: isTemporaryStatus(response.status) }
  }
  const bytes = await readPrefix(response, ERROR_BODY_LIMIT)
  const copy = new Response(bytes as Uint8Array<ArrayBuffer>, { status: response.status, statusText: response.statusText, headers: response.headers })
  return { response: copy, temporary: hasTemporaryCode(parseOciErrors(bytes).map((d) => d.code)) }
}

function retryDelay(options: TransportOptions, attempt: number, outcome: Attempt): number {
  const { baseDelayMs, maxDelayMs } = options.retry
  const header = 'response' in outcome ? outcome.response.headers.get('retry-after') : null
  const requested = header === null ? undefined : parseRetryAfter(header, options.now())
  if (requested !== undefined) return Math.min(requested, maxDelayMs)
  const exponential = baseDelayMs * 2 ** (attempt - 1)
  return Math.min(maxDelayMs, Math.round(exponential * (0.5 + Math.random() / 2)))
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function finish(request: TransportRequest, outcome: Attempt): Response {
  if ('response' in outcome) return outcome.response
  throw new RegistryError({
    reason: 'network',
    method: request.method,
    url: request.url,
    detail: `network error: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
    temporary: outcome.temporary,
    cause: outcome.error,
  })
}
