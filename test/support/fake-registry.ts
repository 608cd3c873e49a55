/**
 * An in-memory OCI registry for unit and pipeline tests: a Hono app plus a `fetch` that routes to
 * it, with auth modes, fault injection and a request log. Strict like distribution: manifests must
 * only reference content present in their repository.
 */
import { Hono } from 'hono'
import { createFakeAuth, type FakeAuthMode, type FakeTokenRequest } from './fake-registry-auth.ts'
import { faultCode, ociError } from './fake-registry-errors.ts'
import { handleV2 } from './fake-registry-routes.ts'
import { createFakeStore } from './fake-registry-store.ts'

/** One request the fake answered. */
export interface FakeRequestRecord {
  method: string
  path: string
  /** The query string including `?`, or ''. */
  query: string
  status: number
  /** Request headers, lower-case names. */
  headers: Record<string, string>
}

/** Options of `createFakeRegistry`. */
export interface FakeRegistryOptions {
  host?: string
  auth?: FakeAuthMode
  users?: Record<string, string>
  /** Answer mounts with 202 + an upload session (as Harbor or ECR sometimes do). */
  refuseMounts?: boolean
  /** Send absolute upload Locations (default: relative, as some registries do). */
  absoluteLocations?: boolean
  /** Token realm advertised in Bearer challenges (default `https://<host>/token`). */
  realm?: string
  service?: string
  tokenExpiresIn?: number
  grantScopes?: (requested: string[], call: number) => string[]
  /** Answer blob GETs with a 307 to this URL (a storage host). */
  redirectBlobs?: (digest: string) => string | undefined
  now?: () => number
}

/** Per-request hook: return a Response to answer instead of the registry. */
export type FakeRequestHook = (request: Request) => Response | undefined | Promise<Response | undefined>

/** A running fake registry. */
export interface FakeRegistry {
  host: string
  /** A fetch that reaches only this registry; other hosts fail like a network error. */
  fetch: typeof fetch
  /** Handles a request regardless of its host (for routers and extra hosts such as a token realm). */
  handle(request: Request): Promise<Response>
  app: Hono
  requests: FakeRequestRecord[]
  tokenRequests: FakeTokenRequest[]
  putBlob(repository: string, bytes: Uint8Array): Promise<string>
  putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string>
  getManifest(repository: string, reference: string): { bytes: Uint8Array; mediaType: string } | undefined
  hasBlob(repository: string, digest: string): boolean
  /** Answers the next `count` `/v2/` requests with `status` (and an OCI error body). */
  failNext(count: number, status: number, headers?: Record<string, string>, code?: string): void
  onRequest: FakeRequestHook | undefined
}

/** Creates an empty fake registry. */
export function createFakeRegistry(options: FakeRegistryOptions = {}): FakeRegistry {
  const host = options.host ?? 'registry.test'
  const store = createFakeStore()
  const auth = createFakeAuth({
    mode: options.auth ?? 'none',
    users: options.users ?? {},
    realm: options.realm ?? `https://${host}/token`,
    service: options.service ?? 'fake-registry',
    tokenExpiresIn: options.tokenExpiresIn ?? 300,
    now: options.now ?? Date.now,
    ...(options.grantScopes ? { grantScopes: options.grantScopes } : {}),
  })
  const faults: Array<{ status: number; headers: Record<string, string>; code: string }> = []
  const requests: FakeRequestRecord[] = []
  const app = new Hono()
  const registry: FakeRegistry = {
    host,
    app,
    requests,
    tokenRequests: auth.tokenRequests,
    onRequest: undefined,
    handle: async (request) => app.fetch(request),
    fetch: async (input, init) => {
      const request = new Request(input, init)
      if (new URL(request.url).host !== host) throw new TypeError('fetch failed')
      return app.fetch(request)
    },
    putBlob: (repository, bytes) => store.putBlob(repository, bytes),
    putManifest: (repository, reference, bytes, mediaType) => store.putManifest(repository, reference, bytes, mediaType),
    getManifest: (repository, reference) => {
      const found = store.resolveManifest(repository, reference)
      return found && { bytes: found.bytes, mediaType: found.mediaType }
    },
    hasBlob: (repository, digest) => store.hasBlob(repository, digest),
    failNext: (count, status, headers = {}, code = faultCode(status)) => {
      for (let i = 0; i < count; i++) faults.push({ status, headers, code })
    },
  }
  app.use('*', async (c, next) => {
    await next()
    const url = new URL(c.req.url)
    const headers = Object.fromEntries(c.req.raw.headers)
    requests.push({ method: c.req.method, path: url.pathname, query: url.search, status: c.res.status, headers })
  })
  app.get('/token', (c) => auth.token(c.req.raw))
  app.all('/v2/*', async (c) => {
    const hooked = await registry.onRequest?.(c.req.raw)
    if (hooked) return hooked
    const fault = faults.shift()
    if (fault) {
      const response = ociError(fault.status, fault.code, `injected ${fault.status}`)
      for (const [name, value] of Object.entries(fault.headers)) response.headers.set(name, value)
      return response
    }
    return handleV2(c.req.raw, store, auth, {
      refuseMounts: options.refuseMounts ?? false,
      absoluteLocations: options.absoluteLocations ?? false,
      ...(options.redirectBlobs ? { redirectBlobs: options.redirectBlobs } : {}),
    })
  })
  return registry
}

/** A fetch that routes by host to several handlers (two fakes, a storage host); others fail like fetch. */
export function createFetchRouter(routes: Record<string, (request: Request) => Response | Promise<Response>>): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const route = routes[new URL(request.url).host]
    if (!route) throw new TypeError('fetch failed')
    return route(request)
  }
}
