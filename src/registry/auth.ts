/**
 * Authentication per registry host, learnt lazily from the first 401 (no `/v2/` ping): Basic with
 * the configured credentials, or Bearer tokens from the challenge's realm, cached and fetched before
 * sending once the host is known to want them. Only the registry's own origin gets credentials.
 */
import type { Logger } from '../log.ts'
import { addNewestScopes, coversScopes, formatScopes, limitScopes, mergeScopes, parseChallenge, type Challenge, type ScopeSet } from './auth-challenge.ts'
import { discardBody } from './body.ts'
import type { RegistryEndpoint } from './endpoint.ts'
import { RegistryError } from './errors.ts'
import { createTokenCache, type CachedToken, type TokenCache } from './token-cache.ts'
import { fetchToken, formatBasic } from './token-fetch.ts'
import type { Send, TransportRequest } from './transport.ts'

/** A request plus the token scopes it needs (`repository:<name>:pull` ...). */
export interface AuthRequest extends TransportRequest {
  scopes: readonly string[]
}

/** Sends requests to a registry with whatever authentication it asked for. */
export interface Authenticator {
  send(endpoint: RegistryEndpoint, request: AuthRequest): Promise<Response>
  /** Adds scopes that the next token request for `host` asks for as well. */
  declare(host: string, scopes: readonly string[]): void
}

// Repositories one token request asks for at most (beyond what the call itself needs): a publish
// names a few (arch sources, targets); the token URL stays far below server limits.
const MAX_TOKEN_RESOURCES = 16
// A token request (its body included) ends by the caller's deadline, and within this in any case.
const MAX_TOKEN_WAIT_MS = 60_000

interface HostAuth {
  scheme?: 'basic' | 'bearer'
  realm?: { realm: string; service?: string }
  tokens: TokenCache
  /** Scopes the coming calls announced, oldest first, for the next token request. */
  declared: Map<string, Set<string>>
  pending: Array<{ scopes: ScopeSet; promise: Promise<CachedToken> }>
}

interface Used {
  header: string
  token?: string
}

interface Context {
  send: Send
  now: () => number
  log: Logger
  state(host: string): HostAuth
}

/** Creates the authentication layer over the retrying transport. */
export function createAuthenticator(send: Send, now: () => number, log: Logger): Authenticator {
  const hosts = new Map<string, HostAuth>()
  const state = (host: string): HostAuth => {
    let found = hosts.get(host)
    if (!found) hosts.set(host, (found = { tokens: createTokenCache(now), declared: new Map(), pending: [] }))
    return found
  }
  const context: Context = { send, now, log, state }
  return {
    send: (endpoint, request) => sendAuthenticated(context, endpoint, request),
    declare: (host, scopes) => {
      const found = state(host)
      // Only the newest declarations matter (they announce the calls about to come); a registry that
      // never asks for a token (anonymous, Basic) would otherwise collect every repository ever named.
      // In place: every arrival declares, and copying the set each time made 8 % of a delivery's garbage.
      addNewestScopes(found.declared, scopes, MAX_TOKEN_RESOURCES)
    },
  }
}

// At most two retries: one to answer the first challenge, and one more with a fresh token when a
// token was refused (expired, revoked, or too narrow: distribution answers a mount without pull on
// the source with 401 error="insufficient_scope").
async function sendAuthenticated(context: Context, endpoint: RegistryEndpoint, request: AuthRequest): Promise<Response> {
  const host = context.state(endpoint.host)
  let need = mergeScopes(request.scopes)
  let used = await authorize(context, endpoint, host, need, request, false)
  let answeredChallenge = false
  let replacedToken = false
  for (;;) {
    const response = await sendDroppingBadTokens(context, host, request, used)
    if (response.status !== 401) return response
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    if (used?.token) host.tokens.drop(used.token)
    const again = used?.token ? !replacedToken : !answeredChallenge
    // A streamed body cannot be sent twice; the caller retries the whole operation instead.
    if (!challenge || !again || request.body instanceof ReadableStream || !learn(host, challenge, used)) return response
    await discardBody(response)
    if (challenge.scheme === 'basic') requireCredentials(endpoint, request)
    if (challenge.scheme === 'bearer') need = mergeScopes(need, challenge.scopes)
    if (used?.token) replacedToken = true
    answeredChallenge = true
    // Only a refused token forces a new request; a first challenge shares a token that a
    // concurrent first request is already fetching, when it covers this need.
    used = await authorize(context, endpoint, host, need, request, used?.token !== undefined)
  }
}

// A token that the request could not carry (a CR/LF in it makes fetch throw) or that the registry
// answered with 400/403 is forgotten, so that the next call asks for a new one instead of reusing it.
async function sendDroppingBadTokens(context: Context, host: HostAuth, request: AuthRequest, used: Used | undefined): Promise<Response> {
  try {
    const response = await context.send(withAuthorization(request, used))
    if (used?.token && (response.status === 400 || response.status === 403)) host.tokens.drop(used.token)
    return response
  } catch (error) {
    if (used?.token) host.tokens.drop(used.token)
    throw error
  }
}

// Returns false when answering the challenge again cannot help (the same Basic credentials failed).
function learn(host: HostAuth, challenge: Challenge, used: Used | undefined): boolean {
  if (challenge.scheme === 'basic') {
    if (host.scheme === 'basic' && used) return false
    host.scheme = 'basic'
    return true
  }
  host.scheme = 'bearer'
  host.realm = { realm: challenge.realm, ...(challenge.service !== undefined ? { service: challenge.service } : {}) }
  return true
}

function requireCredentials(endpoint: RegistryEndpoint, request: AuthRequest): void {
  if (endpoint.options.username && endpoint.options.password) return
  throw new RegistryError({
    reason: 'unauthorized',
    method: request.method,
    url: request.url,
    status: 401,
    detail: `registry "${endpoint.host}" asks for Basic credentials and none are configured`,
  })
}

async function authorize(
  context: Context,
  endpoint: RegistryEndpoint,
  host: HostAuth,
  need: ScopeSet,
  request: AuthRequest,
  fresh: boolean,
): Promise<Used | undefined> {
  const { username, password } = endpoint.options
  if (host.scheme === 'basic' && username && password) return { header: formatBasic(username.reveal(), password.reveal()) }
  if (host.scheme !== 'bearer' || !host.realm) return undefined
  const cached = fresh ? undefined : host.tokens.find(need)
  const token = cached ?? (await obtainToken(context, endpoint, host, host.realm, need, request, fresh))
  return { header: `Bearer ${token.value}`, token: token.value }
}

async function obtainToken(
  context: Context,
  endpoint: RegistryEndpoint,
  host: HostAuth,
  realm: { realm: string; service?: string },
  need: ScopeSet,
  request: AuthRequest,
  fresh: boolean,
): Promise<CachedToken> {
  const inFlight = fresh ? undefined : host.pending.find((entry) => coversScopes(entry.scopes, need))
  if (inFlight) return inFlight.promise
  // What this call needs, what the coming calls declared, then what the latest token had, up to a
  // bound: a sweep naming thousands of repositories must not grow one token request without end.
  const scopes = limitScopes(mergeScopes(need, host.declared, host.tokens.latestScopes()), Math.max(MAX_TOKEN_RESOURCES, need.size))
  host.declared = new Map()
  const obtainedAt = context.now()
  const deadline = request.deadline ?? Number.POSITIVE_INFINITY
  context.log.debug('registry token requested', { registry: endpoint.host, scopes: formatScopes(scopes) })
  // Its own signal, not the operation's: concurrent calls share this request, and one call's end must not fail the others.
  const signal = AbortSignal.timeout(Math.ceil(Math.max(1, Math.min(deadline - obtainedAt, MAX_TOKEN_WAIT_MS))))
  const promise = fetchToken(context.send, endpoint, realm, formatScopes(scopes), deadline, signal).then((issued) =>
    host.tokens.add(issued.value, scopes, obtainedAt, issued.lifetimeMs),
  )
  const entry = { scopes, promise }
  host.pending.push(entry)
  return promise.finally(() => host.pending.splice(host.pending.indexOf(entry), 1))
}

function withAuthorization(request: AuthRequest, used: Used | undefined): TransportRequest {
  const { scopes: _scopes, ...rest } = request
  return used ? { ...rest, headers: { ...request.headers, Authorization: used.header } } : rest
}
