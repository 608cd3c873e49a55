/**
 * A loopback reverse proxy that injects registry and network faults on a seeded, reproducible share
 * of the requests it forwards (5xx, 429 + Retry-After, connection resets, slow and truncated
 * responses), can hold chosen requests until released, and can refuse cross-repository mounts.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenLoopback } from './listen-loopback.ts'

/** What the proxy may do to a request instead of forwarding it faithfully. */
export type FaultKind = '500' | '502' | '503' | '429' | 'reset' | 'reset-after' | 'slow' | 'truncate'

/** Every fault kind, in a fixed order (the seeded choice indexes into it). */
export const FAULT_KINDS: readonly FaultKind[] = ['500', '502', '503', '429', 'reset', 'reset-after', 'slow', 'truncate']

/** One request the proxy saw: what it did and what the client got. */
export interface FaultLogEntry {
  method: string
  path: string
  /** The status sent to the client; 0 when the connection was reset before a status. */
  status: number
  fault?: FaultKind
  startedAt: number
  /** When the first byte of the request body arrived (requests with a body). */
  bodyStartedAt?: number
  finishedAt: number
  /** The request body, for manifest PUTs (small JSON), when `captureManifests` is on. */
  body?: string
}

/** A request a hold waits for. */
export type RequestMatcher = (request: { method: string; path: string }) => boolean

/** A hold: `reached` resolves when a matching request arrives; it is forwarded on `release()`, dropped on `drop()`. */
export interface Hold {
  reached: Promise<{ method: string; path: string }>
  release(): void
  drop(): void
}

export interface FaultProxyOptions {
  /** Upstream base URL, e.g. "http://127.0.0.1:5000". */
  target: string
  /** Share of eligible requests that get a fault, 0..1 (default 0). */
  faultRate?: number
  /** Seed of the fault sequence (default 1): the n-th eligible request always gets the same decision. */
  seed?: number
  kinds?: readonly FaultKind[]
  /** Which requests may get a fault (default: every one). */
  eligible?: RequestMatcher
  /** Delay of a `slow` fault (default 400 ms). */
  slowMs?: number
  /** Retry-After seconds of a 429 (default 1). */
  retryAfterSeconds?: number
  /** Answer cross-repo mount POSTs with a plain upload session (202), as registries that decline mounts do. */
  refuseMounts?: boolean
  captureManifests?: boolean
}

/** A running fault proxy. */
export interface FaultProxy {
  host: string
  url: string
  log: FaultLogEntry[]
  setFaultRate(rate: number): void
  /** Gives the next request matching `match` the fault `kind` (whatever the rate). */
  injectNext(match: RequestMatcher, kind: FaultKind): void
  /** Holds the next request matching `match` (once) before it reaches the upstream. */
  hold(match: RequestMatcher): Hold
  close(): Promise<void>
}

interface PendingHold {
  match: RequestMatcher
  arrived: (request: { method: string; path: string }) => void
  gate: Promise<'release' | 'drop'>
  open: (how: 'release' | 'drop') => void
}

interface State {
  options: FaultProxyOptions
  upstream: URL
  rate: number
  random: () => number
  holds: PendingHold[]
  injections: { match: RequestMatcher; kind: FaultKind }[]
  log: FaultLogEntry[]
}

/** mulberry32: a tiny seeded PRNG (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Starts the proxy on 127.0.0.1 (random port). */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const state: State = { options, upstream: new URL(options.target), rate: options.faultRate ?? 0, random: createRandom(options.seed ?? 1), holds: [], injections: [], log: [] }
  const server = createServer((req, res) => void handle(state, req, res))
  server.keepAliveTimeout = 5_000
  const listener = await listenLoopback(server)
  return {
    host: `127.0.0.1:${listener.port}`,
    url: listener.url,
    log: state.log,
    setFaultRate: (rate) => void (state.rate = rate),
    injectNext: (match, kind) => void state.injections.push({ match, kind }),
    hold: (match) => addHold(state, match),
    close: () => {
      for (const hold of state.holds) hold.open('drop')
      return listener.close()
    },
  }
}

function addHold(state: State, match: RequestMatcher): Hold {
  let arrived!: PendingHold['arrived']
  let open!: PendingHold['open']
  const reached = new Promise<{ method: string; path: string }>((resolve) => (arrived = resolve))
  const gate = new Promise<'release' | 'drop'>((resolve) => (open = resolve))
  state.holds.push({ match, arrived, gate, open })
  return { reached, release: () => open('release'), drop: () => open('drop') }
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = { method: req.method ?? 'GET', path: req.url ?? '/' }
  const entry: FaultLogEntry = { ...request, status: 0, startedAt: performance.now(), finishedAt: 0 }
  const body = state.options.captureManifests && request.method === 'PUT' && request.path.includes('/manifests/') ? captureBody(req, entry) : undefined
  const held = state.holds.find((hold) => hold.match(request))
  if (held) {
    state.holds.splice(state.holds.indexOf(held), 1)
    held.arrived(request)
    if ((await held.gate) === 'drop') return finish(state, entry, () => req.socket.destroy())
  }
  const fault = pickFault(state, request)
  if (fault) entry.fault = fault
  if (fault && fault !== 'slow' && fault !== 'reset-after' && fault !== 'truncate') return answerDirectly(state, req, res, entry, fault)
  if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, state.options.slowMs ?? 400))
  await body
  forward(state, req, res, entry, fault)
}

function captureBody(req: IncomingMessage, entry: FaultLogEntry): Promise<void> {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  return new Promise((resolve) => req.once('end', () => resolve(void (entry.body = Buffer.concat(chunks).toString('utf8')))))
}

function pickFault(state: State, request: { method: string; path: string }): FaultKind | undefined {
  const injection = state.injections.find((candidate) => candidate.match(request))
  if (injection) return state.injections.splice(state.injections.indexOf(injection), 1)[0]?.kind
  if (state.rate <= 0 || !(state.options.eligible?.(request) ?? true)) return undefined
  // Two draws per eligible request, always, so that the sequence does not depend on the rate.
  const [hit, which] = [state.random(), state.random()]
  const kinds = state.options.kinds ?? FAULT_KINDS
  return hit < state.rate ? kinds[Math.floor(which * kinds.length)] : undefined
}

function answerDirectly(state: State, req: IncomingMessage, res: ServerResponse, entry: FaultLogEntry, fault: FaultKind): void {
  if (fault === 'reset') return finish(state, entry, () => req.socket.destroy())
  const status = Number(fault)
  const code = status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE'
  const headers: Record<string, string> = { 'content-type': 'application/json', connection: 'close' }
  if (status === 429) headers['retry-after'] = String(state.options.retryAfterSeconds ?? 1)
  req.resume()
  res.writeHead(status, headers).end(JSON.stringify({ errors: [{ code, message: `injected ${fault}` }] }))
  entry.status = status
  finish(state, entry)
}

function forward(state: State, req: IncomingMessage, res: ServerResponse, entry: FaultLogEntry, fault: FaultKind | undefined): void {
  const path = state.options.refuseMounts ? withoutMount(req.method ?? '', req.url ?? '/') : (req.url ?? '/')
  const { hostname, port } = state.upstream
  const outgoing = httpRequest({ hostname, port, method: req.method, path, headers: req.headers }, (response) => {
    entry.status = response.statusCode ?? 0
    if (fault === 'reset-after') {
      response.resume()
      entry.status = 0
      return finish(state, entry, () => req.socket.destroy())
    }
    res.writeHead(entry.status, response.rawHeaders as unknown as Record<string, string>)
    if (fault === 'truncate') return truncate(state, response, res, req, entry)
    response.pipe(res)
    res.once('finish', () => finish(state, entry))
    res.once('close', () => finish(state, entry))
  })
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end()
    else res.destroy()
    entry.status = 502
    finish(state, entry)
  })
  if (entry.body !== undefined) return void outgoing.end(entry.body)
  req.pipe(outgoing)
  req.once('data', () => void (entry.bodyStartedAt = performance.now()))
}

// Sends the headers (with the full Content-Length) and about half of the body, then resets.
function truncate(state: State, response: IncomingMessage, res: ServerResponse, req: IncomingMessage, entry: FaultLogEntry): void {
  const length = Number(response.headers['content-length'] ?? 0)
  let sent = 0
  response.on('data', (chunk: Buffer) => {
    if (sent >= length / 2) return
    const part = chunk.subarray(0, Math.max(1, Math.ceil(length / 2) - sent))
    sent += part.length
    res.write(part)
  })
  response.once('end', () => {
    res.flushHeaders()
    setTimeout(() => finish(state, entry, () => req.socket.destroy()), 10)
  })
}

// A registry that declines a mount answers like a plain upload start (distribution-spec "Mounting
// a blob from another repository": 202 + Location), which is what the upstream does without the query.
function withoutMount(method: string, path: string): string {
  if (method !== 'POST' || !path.includes('mount=')) return path
  const url = new URL(path, 'http://proxy.invalid')
  url.searchParams.delete('mount')
  url.searchParams.delete('from')
  return `${url.pathname}${url.search}`
}

function finish(state: State, entry: FaultLogEntry, then?: () => void): void {
  if (entry.finishedAt === 0) {
    entry.finishedAt = performance.now()
    state.log.push(entry)
  }
  then?.()
}
