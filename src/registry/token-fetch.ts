/**
 * One token request to a Bearer realm, after checking that the realm may receive our credentials
 * (SSRF and credential-leak guard, cf. validateRealmURL in
 * https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/transport/bearer.go).
 */
import { DOCKER_HUB } from '../core/reference.ts'
import { readCapped } from './body.ts'
import type { RegistryEndpoint } from './endpoint.ts'
import { ERROR_BODY_LIMIT, readRegistryError, RegistryError } from './errors.ts'
import type { Send } from './transport.ts'

/** A token as the realm issued it. */
export interface IssuedToken {
  value: string
  lifetimeMs: number
}

// Docker Hub's realm lives on another host: https://docs.docker.com/reference/api/registry/auth/
const DOCKER_HUB_REALM = 'https://auth.docker.io/'
// "If omitted, a default of 60 seconds should be assumed" (token spec, "Token Response Fields").
const DEFAULT_LIFETIME_S = 60
// Whatever a token server states, a token is asked for again after an hour (distribution issues 5 min).
const MAX_LIFETIME_S = 3600
// A token goes into an Authorization header: visible ASCII only (RFC 6750 b64token is stricter), bounded.
const TOKEN_TEXT = /^[\x21-\x7e]{1,8192}$/

/** Returns the realm URL when it may receive this registry's credentials; throws 'realm-refused'. */
export function checkRealm(endpoint: RegistryEndpoint, realm: string, method: string): URL {
  const url = URL.canParse(realm) ? new URL(realm) : undefined
  if (!url || !isAllowedRealm(endpoint, url)) {
    throw new RegistryError({
      reason: 'realm-refused',
      method,
      url: url ?? 'invalid-realm',
      detail: `token realm refused for registry "${endpoint.host}" (add it to tokenRealms to trust it)`,
    })
  }
  return url
}

function isAllowedRealm(endpoint: RegistryEndpoint, realm: URL): boolean {
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && endpoint.options.insecure)) return false
  // The registry's own host and port (a port is another server); https for an http registry is fine.
  if (realm.host === endpoint.base.host) return true
  if (endpoint.host === DOCKER_HUB && realm.href.startsWith(DOCKER_HUB_REALM)) return true
  return endpoint.options.tokenRealms.some((prefix) => hasPrefix(realm, prefix))
}

// Compared as origin + path prefix, so "https://auth.example" does not admit "https://auth.example.evil".
function hasPrefix(realm: URL, prefix: string): boolean {
  if (!URL.canParse(prefix)) return false
  const allowed = new URL(prefix)
  return realm.origin === allowed.origin && realm.pathname.startsWith(allowed.pathname)
}

/** Requests a token for `scopes` (one `scope` parameter each: https://github.com/estesp/manifest-tool/issues/53). */
export async function fetchToken(
  send: Send,
  endpoint: RegistryEndpoint,
  challenge: { realm: string; service?: string },
  scopes: readonly string[],
  deadline: number,
  signal?: AbortSignal,
): Promise<IssuedToken> {
  const url = checkRealm(endpoint, challenge.realm, 'GET')
  if (challenge.service !== undefined) url.searchParams.append('service', challenge.service)
  for (const scope of scopes) url.searchParams.append('scope', scope)
  const { username, password } = endpoint.options
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (username && password) headers.Authorization = formatBasic(username.reveal(), password.reveal())
  try {
    const response = await send({ method: 'GET', url, headers, deadline, ...(signal ? { signal } : {}) })
    if (response.status !== 200) {
      const refused = response.status === 401 || response.status === 403
      throw await readRegistryError(response, 'GET', url, refused ? 'unauthorized' : 'http')
    }
    return parseTokenResponse(await readCapped(response, ERROR_BODY_LIMIT), url)
  } catch (error) {
    if (!signal?.aborted) throw error
    const message = `token server ${url.host} did not answer for registry ${endpoint.host} in time`
    throw new RegistryError({ reason: 'timeout', method: 'GET', url, detail: 'no token in time', temporary: true, cause: error, message })
  }
}

function parseTokenResponse(bytes: Uint8Array | undefined, url: URL): IssuedToken {
  let json: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {}
  try {
    json = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : {}
  } catch {
    // Reported below as a response without a token.
  }
  // Both field names are in the token spec; `token` wins when both are present.
  const value = typeof json.token === 'string' ? json.token : json.access_token
  if (typeof value !== 'string' || value === '') {
    throw new RegistryError({ reason: 'unauthorized', method: 'GET', url, detail: 'token response has no token' })
  }
  if (!TOKEN_TEXT.test(value)) {
    throw new RegistryError({ reason: 'unauthorized', method: 'GET', url, detail: 'token response has a token that cannot go into a header (control characters, spaces or over 8 KiB)', temporary: true })
  }
  const stated = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_LIFETIME_S
  const seconds = Math.min(stated, MAX_LIFETIME_S)
  return { value, lifetimeMs: seconds * 1000 }
}

/** Formats an `Authorization: Basic` value (UTF-8 user:password, base64). */
export function formatBasic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`)
  return `Basic ${btoa(String.fromCharCode(...bytes))}`
}
