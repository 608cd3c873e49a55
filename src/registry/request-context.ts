/**
 * What every client operation shares: configured endpoints, the request stack
 * (transport -> auth -> manual redirects), the operation deadline and the status check.
 */
import type { RegistryOptions } from '../config.ts'
import type { RepositoryName } from '../core/reference.ts'
import type { Logger } from '../log.ts'
import type { Secret } from '../secret.ts'
import { createAuthenticator, type AuthRequest, type Authenticator } from './auth.ts'
import { BodyCutError, discardBody } from './body.ts'
import { isRegistryOrigin, resolveEndpoint, resolveLocation, type RegistryEndpoint } from './endpoint.ts'
import { readRegistryError, RegistryError } from './errors.ts'
import { formatSeconds } from './registry-gates.ts'
import { computeBackoff, createTransport, type RetryPolicy, type Send, type TransportOptions } from './transport.ts'

/** The shared state of one registry client. */
export interface RequestContext {
  endpoint(name: RepositoryName, method: string): RegistryEndpoint
  /** Sends with authentication; GET/HEAD redirects are followed, credentials only to the registry. */
  send(endpoint: RegistryEndpoint, request: AuthRequest): Promise<Response>
  /** Returns the absolute deadline for an operation starting now (inside `runOperation`: that operation's). */
  deadline(): number
  auth: Authenticator
  retry: RetryPolicy
  now: () => number
  sleep: (ms: number) => Promise<void>
  log: Logger
  /** sha256 of content read or written (the runtime may give a faster one than Web Crypto). */
  digest: (bytes: Uint8Array) => Promise<string>
}

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * Credentials that a runtime obtains per registry while running (ECR's GetAuthorizationToken on
 * Lambda); undefined leaves the configured ones. Called before every request: it must cache.
 */
export type CredentialSource = (endpoint: RegistryEndpoint) => Promise<{ username: Secret; password: Secret } | undefined>

/** Builds the request stack for one client. */
export function createRequestContext(
  registries: Record<string, RegistryOptions>,
  options: TransportOptions & Pick<RequestContext, 'digest'> & { credentials?: CredentialSource },
): RequestContext {
  const transport = createTransport(options)
  const auth = createAuthenticator(transport, options.now, options.log)
  const credentials = options.credentials
  return {
    endpoint: (name, method) => resolveEndpoint(registries, name, method),
    send: credentials
      ? async (endpoint, request) => sendFollowing(transport, auth, await withCredentials(endpoint, credentials), request)
      : (endpoint, request) => sendFollowing(transport, auth, endpoint, request),
    deadline: () => options.now() + options.retry.deadlineMs,
    auth,
    retry: options.retry,
    now: options.now,
    sleep: options.sleep,
    log: options.log,
    digest: options.digest,
  }
}

// Blob GETs may redirect to storage (S3, a CDN) on another host, which must never see our
// Authorization header; go-containerregistry likewise authenticates only the registry host:
// https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/transport/bearer.go
async function sendFollowing(transport: Send, auth: Authenticator, endpoint: RegistryEndpoint, request: AuthRequest): Promise<Response> {
  let response = await auth.send(endpoint, request)
  let url = request.url
  const follows = request.method === 'GET' || request.method === 'HEAD'
  for (let hop = 0; follows && hop < MAX_REDIRECTS && REDIRECTS.has(response.status); hop++) {
    const location = response.headers.get('location')
    if (!location) break
    await discardBody(response)
    url = resolveLocation(location, url)
    const next = { ...request, url }
    response = isRegistryOrigin(endpoint, url) ? await auth.send(endpoint, next) : await transport(withoutScopes(next))
  }
  return response
}

async function withCredentials(endpoint: RegistryEndpoint, source: CredentialSource): Promise<RegistryEndpoint> {
  const found = await source(endpoint)
  return found ? { ...endpoint, options: { ...endpoint.options, ...found } } : endpoint
}

function withoutScopes(request: AuthRequest) {
  const { scopes: _scopes, ...rest } = request
  return rest
}

/** Names an operation in its timeout error: `registry <host> did not finish <method> <path> within 30 s`. */
export interface OperationLabel {
  host: string
  method: string
  path: string
}

/**
 * Runs one client operation (every request, retry, token and body read it makes) under one
 * deadline, `retry.deadlineMs` plus `extraMs` from now: at the deadline its requests are aborted,
 * bodies included, and it fails with a temporary RegistryError 'timeout'.
 */
export async function runOperation<T>(context: RequestContext, label: OperationLabel, extraMs: number, call: (operation: RequestContext) => Promise<T>): Promise<T> {
  const limit = context.retry.deadlineMs + extraMs
  const deadline = context.now() + limit
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error('operation deadline')), limit)
  const { signal } = controller
  const operation: RequestContext = { ...context, deadline: () => deadline, send: (endpoint, request) => context.send(endpoint, { ...request, signal }) }
  try {
    return await call(operation)
  } catch (error) {
    if (!signal.aborted) throw error
    const what = `${label.method} ${label.path}`
    throw new RegistryError({
      reason: 'timeout',
      method: label.method,
      url: `${label.host}${label.path}`,
      detail: `not finished within ${formatSeconds(limit)}`,
      temporary: true,
      cause: error,
      message: `registry ${label.host} did not finish ${what} within ${formatSeconds(limit)}`,
    })
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs a GET whose body is read after the transport returned, again when that body is cut off
 * mid-way (a reset after the headers): the transport cannot see it, so the whole call is retried,
 * within the same attempts and deadline. Ends in a temporary RegistryError for the sweep to retry.
 */
export async function retryBodyCuts<T>(context: RequestContext, method: string, url: string, call: () => Promise<T>): Promise<T> {
  const deadline = context.deadline()
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!(error instanceof BodyCutError)) throw error
      const delay = computeBackoff(context.retry, attempt)
      if (attempt >= context.retry.attempts || context.now() + delay > deadline) {
        throw new RegistryError({ reason: 'network', method, url, detail: 'the response body ended early', temporary: true, cause: error })
      }
      context.log.warn('registry response cut off; retried', { method, url, attempt })
      await context.sleep(delay)
    }
  }
}

/** Throws the RegistryError for `response` unless its status is one of `expected`. */
export async function expectStatus(response: Response, expected: readonly number[], method: string, url: URL): Promise<void> {
  if (!expected.includes(response.status)) throw await readRegistryError(response, method, url)
}
