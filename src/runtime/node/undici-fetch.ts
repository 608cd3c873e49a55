/**
 * The Node runtime's `fetch` for the registry client: the fetch signature the client is written
 * against, over one keep-alive undici Agent's `request()`. For the calls the client makes (URL
 * input, manual redirects, byte or stream bodies) it skips WHATWG fetch's machinery (Request
 * object, fetch controller, body streams for small bodies), which cost twice the CPU of a registry
 * call carrying a 1 KB manifest; anything else goes to undici's own fetch on the same agent.
 */
import { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { Agent, errors, fetch as undiciFetch, Response, type Dispatcher } from 'undici'

// Bodies declared up to this size (manifests, configs, tokens, error bodies) are read before the
// Response is built; larger and unsized ones (blobs) stream.
const BUFFERED_BODY_LIMIT = 64 * 1024
// Statuses whose Response must have a null body (fetch spec "null body status"; 101 and 103 never
// come out of request()).
const NULL_BODY_STATUSES = new Set([204, 205, 304])

type FastInit = RequestInit & { headers?: Record<string, string>; body?: Uint8Array | ReadableStream<Uint8Array> | string | null }

/** Creates a fetch that goes through one keep-alive undici agent. */
export function createUndiciFetch(agent: Dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 32 })): typeof fetch {
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    // The registry client passes URL objects: used as they are, not printed and parsed again.
    if (isFastCall(input, init)) return send(agent, input instanceof URL ? input : new URL(input as string), init)
    return undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never)
  }) as unknown as typeof fetch
}

function isFastCall(input: unknown, init: RequestInit | undefined): init is FastInit {
  if (!(typeof input === 'string' || input instanceof URL) || init?.redirect !== 'manual') return false
  const { headers, body } = init
  const plainHeaders = headers === undefined || Object.getPrototypeOf(headers) === Object.prototype
  return plainHeaders && (body == null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ReadableStream)
}

async function send(agent: Dispatcher, url: URL, init: FastInit): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod
  try {
    // A ReadableStream is an async iterable, which request() streams (undici docs, Dispatcher.request `body`).
    const body = (init.body ?? null) as Dispatcher.DispatchOptions['body']
    // The signal aborts the request and, once the response has come, its body (undici destroys the stream).
    const signal = init.signal ?? undefined
    const data = await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method, headers: init.headers, body, ...(signal ? { signal } : {}) })
    return await buildResponse(data, method)
  } catch (error) {
    // As fetch does: an aborted call rejects with the signal's reason.
    if (init.signal?.aborted) throw init.signal.reason
    throw toFetchError(error)
  }
}

async function buildResponse(data: Dispatcher.ResponseData, method: string): Promise<Response> {
  const init = { status: data.statusCode, statusText: data.statusText }
  let response: Response
  if (method === 'HEAD' || NULL_BODY_STATUSES.has(data.statusCode)) {
    await data.body.dump()
    response = new Response(null, init)
  } else if (Number(data.headers['content-length'] ?? Number.NaN) <= BUFFERED_BODY_LIMIT) {
    response = new Response(new Uint8Array(await data.body.arrayBuffer()), init)
  } else {
    response = new Response(toWebStream(data.body), init)
  }
  // Appended one by one: a header list in the Response init goes through WebIDL sequence
  // conversion, a quarter of this adapter's garbage.
  for (const [name, value] of Object.entries(data.headers)) {
    if (Array.isArray(value)) for (const one of value) response.headers.append(name, one)
    else if (value !== undefined) response.headers.append(name, value)
  }
  return response
}

// Pull-based, so nothing is enqueued after the stream was cancelled. Readable.toWeb pushes on 'data':
// under test/faults/publish-under-faults.test.ts (Node 22.23) it threw "Invalid state: Controller is
// already closed" from its 'data' handler, 16-18 uncaught exceptions a run; none with this.
function toWebStream(body: Dispatcher.ResponseData['body']): NodeReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>
  return new NodeReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      async cancel() {
        await chunks.return?.()
      },
    },
    { highWaterMark: 0 },
  )
}

// fetch rejects every network failure (refused, reset, timed out, cut short) with a TypeError whose
// cause is undici's error; the transport retries on exactly that. Bad arguments stay as they are.
function toFetchError(error: unknown): unknown {
  if (error instanceof errors.InvalidArgumentError) return error
  return new TypeError('fetch failed', { cause: error })
}
