/**
 * The bottom of the client's request stack: injected `fetch` plus User-Agent, manual redirects,
 * a per-attempt timeout (no response headers within it: the attempt is abandoned and the host
 * marked unresponsive), the per-registry gates, and retries of temporary failures (exponential
 * backoff with jitter, Retry-After, an overall deadline). Web-standard only (AbortController, setTimeout).
 */
import { clipText, type Logger } from '../log.ts'
import { discardBody, readPrefix } from './body.ts'
import { ERROR_BODY_LIMIT, hasTemporaryCode, isTemporaryStatus, parseOciErrors, RegistryError } from './errors.ts'
import { formatSeconds, type RegistryGates } from './registry-gates.ts'

/** One HTTP request as the client layers pass it down. */
export interface TransportRequest {
  method: string
  url: URL
  headers?: Record<string, string>
  /** Bytes can be replayed (and retried); a stream is sent once. */
  body?: Uint8Array | ReadableStream<Uint8Array>
  /** Absolute time (ms, `now()` clock) after which no retry is started. */
  deadline?: number
  /** The operation's signal: aborting it abandons the request, its body included. */
  signal?: AbortSignal
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
  /** How long one attempt may wait for the response headers. */
  attemptTimeoutMs: number
  gates: RegistryGates
}

type Attempt = { response: Response; temporary: boolean } | { error: unknown; temporary: boolean; final?: boolean }

/** Creates the retrying transport; throws RegistryError 'network' when fetch itself keeps failing. */
export function createTransport(options: TransportOptions): Send {
  return async (request) => {
    const deadline = request.deadline ?? options.now() + options.retry.deadlineMs
    const replayable = !(request.body instanceof ReadableStream)
    for (let attempt = 1; ; attempt++) {
      const outcome = await sendOnce(options, { ...request, deadline })
      const delay = outcome.temporary ? retryDelay(options, attempt, outcome) : Number.POSITIVE_INFINITY
      const final = 'final' in outcome && outcome.final === true
      const retry = !final && replayable && attempt < options.retry.attempts && options.now() + delay <= deadline
      if (!retry) return finish(request, outcome)
      if ('response' in outcome) await discardBody(outcome.response)
      const status = 'response' in outcome ? outcome.response.status : 'network error'
      options.log.warn('registry request retried', { method: request.method, url: request.url.href, status, attempt, delayMs: delay })
      await options.sleep(delay)
    }
  }
}

async function sendOnce(options: TransportOptions, request: TransportRequest & { deadline: number }): Promise<Attempt> {
  const headers = { 'User-Agent': options.userAgent, ...request.headers }
  // Streaming request bodies need `duplex: 'half'` (fetch spec; undici and Workers enforce it).
  const streaming = request.body instanceof ReadableStream ? { duplex: 'half' } : {}
  const host = request.url.host
  // Waiting for a slot is bounded by the operation's deadline; the attempt's timeout starts with the request.
  const leave = await options.gates.enter({ host, method: request.method, url: request.url, waitMs: Math.max(1, request.deadline - options.now()) })
  const limit = Math.max(1, Math.min(options.attemptTimeoutMs, request.deadline - options.now()))
  const controller = new AbortController()
  const operation = request.signal
  // Kept after the headers: the operation's end also abandons the body being read.
  operation?.addEventListener('abort', () => controller.abort(operation.reason), { once: true })
  if (operation?.aborted) controller.abort(operation.reason)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error('attempt timed out'))
  }, limit)
  const init = { method: request.method, headers, body: request.body ?? null, redirect: 'manual' as const, signal: controller.signal }
  let response: Response
  try {
    response = await options.fetch(request.url, { ...init, ...streaming } as RequestInit)
  } catch (error) {
    if (operation?.aborted) throw operation.reason
    if (timedOut) {
      options.gates.markUnresponsive(host)
      return { error: timeoutError(request, limit), temporary: true, final: true }
    }
    // fetch rejects with a TypeError on DNS, connection and TLS failures.
    return { error, temporary: error instanceof TypeError }
  } finally {
    clearTimeout(timer)
    leave()
  }
  return classify(response, request.method)
}

// "registry 127.0.0.1:5150 did not answer GET /v2/demo/app/manifests/v1 within 10 s"
function timeoutError(request: TransportRequest, limit: number): RegistryError {
  const what = `${request.method} ${clipText(request.url.pathname, 200)}`
  return new RegistryError({
    reason: 'timeout',
    method: request.method,
    url: request.url,
    detail: `no answer within ${formatSeconds(limit)}`,
    temporary: true,
    message: `registry ${request.url.host} did not answer ${what} within ${formatSeconds(limit)}`,
  })
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
  const header = 'response' in outcome ? outcome.response.headers.get('retry-after') : null
  return computeBackoff(options.retry, attempt, header === null ? undefined : parseRetryAfter(header, options.now()))
}

/**
 * The one backoff of the client (transport retries, body cut-offs, streamed copies): what the
 * server asked for in Retry-After when it did, else exponential with 50-100 % jitter; capped.
 */
export function computeBackoff(retry: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, attempt: number, requestedMs?: number): number {
  if (requestedMs !== undefined) return Math.min(requestedMs, retry.maxDelayMs)
  const exponential = retry.baseDelayMs * 2 ** (attempt - 1)
  return Math.min(retry.maxDelayMs, Math.round(exponential * (0.5 + Math.random() / 2)))
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
  if (outcome.error instanceof RegistryError) throw outcome.error
  throw new RegistryError({
    reason: 'network',
    method: request.method,
    url: request.url,
    detail: `network error: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
    temporary: outcome.temporary,
    cause: outcome.error,
  })
}
