/**
 * Authentication of the fake registry: none, Basic (htpasswd-like users) or Bearer with a `/token`
 * endpoint and scope checks that answer like distribution 2.8 (401 + `error="insufficient_scope"`).
 */
import { ociError } from './fake-registry-errors.ts'

/** How the fake authenticates. */
export type FakeAuthMode = 'none' | 'basic' | 'bearer'

/** One call to the fake's token endpoint. */
export interface FakeTokenRequest {
  service: string | null
  scopes: string[]
  username?: string
  granted: string[]
}

/** Bearer settings of the fake. */
export interface FakeAuthOptions {
  mode: FakeAuthMode
  users: Record<string, string>
  realm: string
  service: string
  /** `expires_in` of issued tokens, seconds. */
  tokenExpiresIn: number
  now: () => number
  /** Narrows what a token grants (e.g. GitLab's old "last scope only" bug); `call` counts from 0. */
  grantScopes?: (requested: string[], call: number) => string[]
}

/** The fake's auth checks and token endpoint. */
export interface FakeAuth {
  /** Returns a 401 when `request` may not do `access` (scope strings); undefined when allowed. */
  check(request: Request, access: string[]): Response | undefined
  token(request: Request): Response
  tokenRequests: FakeTokenRequest[]
}

/** Creates the auth layer of one fake registry. */
export function createFakeAuth(options: FakeAuthOptions): FakeAuth {
  const tokens = new Map<string, { granted: string[]; expiresAt: number }>()
  const tokenRequests: FakeTokenRequest[] = []
  const challenge = (access: string[], error?: string) =>
    `Bearer realm="${options.realm}",service="${options.service}"` +
    (access.length ? `,scope="${access.join(' ')}"` : '') +
    (error ? `,error="${error}"` : '')
  return {
    tokenRequests,
    check: (request, access) => {
      if (options.mode === 'none') return undefined
      const header = request.headers.get('authorization') ?? ''
      if (options.mode === 'basic') {
        return checkBasic(options.users, header) ? undefined : unauthorized('Basic realm="fake-registry"')
      }
      const token = tokens.get(header.replace(/^Bearer /, ''))
      if (!header.startsWith('Bearer ') || !token) return unauthorized(challenge(access, header ? 'invalid_token' : undefined))
      if (token.expiresAt <= options.now()) return unauthorized(challenge(access, 'invalid_token'))
      return access.every((scope) => grants(token.granted, scope)) ? undefined : unauthorized(challenge(access, 'insufficient_scope'))
    },
    token: (request) => {
      const url = new URL(request.url)
      const header = request.headers.get('authorization')
      const username = header ? checkBasic(options.users, header) : undefined
      if (header && !username) return ociError(401, 'UNAUTHORIZED', 'authentication required')
      const scopes = url.searchParams.getAll('scope')
      // Anonymous callers get pull only, like Docker Hub's public repositories.
      const allowed = username ? scopes : scopes.map((scope) => scope.replace(/:[^:]*$/, ':pull'))
      const granted = options.grantScopes ? options.grantScopes(allowed, tokenRequests.length) : allowed
      tokenRequests.push({ service: url.searchParams.get('service'), scopes, granted, ...(username ? { username } : {}) })
      const value = `fake-token-${crypto.randomUUID()}`
      tokens.set(value, { granted, expiresAt: options.now() + options.tokenExpiresIn * 1000 })
      return Response.json({ token: value, expires_in: options.tokenExpiresIn, issued_at: new Date(options.now()).toISOString() })
    },
  }
}

function unauthorized(wwwAuthenticate: string): Response {
  const response = ociError(401, 'UNAUTHORIZED', 'authentication required')
  response.headers.set('WWW-Authenticate', wwwAuthenticate)
  return response
}

// Returns the user name when the Basic header matches a configured user.
function checkBasic(users: Record<string, string>, header: string): string | undefined {
  const match = /^Basic (.+)$/.exec(header)
  if (!match) return undefined
  const decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)))
  const colon = decoded.indexOf(':')
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)]
  return colon > 0 && Object.hasOwn(users, user) && users[user] === password ? user : undefined
}

function grants(granted: string[], needed: string): boolean {
  const [resource, actions] = split(needed)
  return actions.every((action) => granted.some((scope) => split(scope)[0] === resource && split(scope)[1].includes(action)))
}

function split(scope: string): [string, string[]] {
  const colon = scope.lastIndexOf(':')
  return [scope.slice(0, colon), scope.slice(colon + 1).split(',')]
}
