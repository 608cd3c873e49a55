/**
 * `WWW-Authenticate` challenges (RFC 7235) as registries send them, and token scopes
 * (`repository:<name>:<actions>`) with the set operations the token cache needs.
 * Token spec: https://distribution.github.io/distribution/spec/auth/token/
 */

/** A challenge we can answer; unknown schemes parse to undefined. */
export type Challenge =
  | { scheme: 'basic' }
  | { scheme: 'bearer'; realm: string; service?: string; scopes: string[]; error?: string }

// Longer challenges are not from a registry we can work with; the cap bounds the parse.
const MAX_CHALLENGE_CHARS = 8192
const TOKEN_CHAR = /[A-Za-z0-9_.-]/

/** Parses the first challenge of a `WWW-Authenticate` header value. */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header || header.length > MAX_CHALLENGE_CHARS) return undefined
  const match = /^\s*([A-Za-z]+)(?:\s+|$)/.exec(header)
  if (!match) return undefined
  const scheme = match[1]!.toLowerCase()
  if (scheme === 'basic') return { scheme: 'basic' }
  if (scheme !== 'bearer') return undefined
  const params = parseParams(header.slice(match[0].length))
  if (!params.realm) return undefined
  return {
    scheme: 'bearer',
    realm: params.realm,
    ...(params.service !== undefined ? { service: params.service } : {}),
    // distribution joins several scopes with spaces, e.g. for a cross-repo mount.
    scopes: (params.scope ?? '').split(' ').filter(Boolean),
    ...(params.error !== undefined ? { error: params.error } : {}),
  }
}

// `key=value, key="quoted \" value"` (RFC 7235 auth-param), scanned once from left to right; the
// first occurrence of a key wins.
function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null)
  let i = 0
  const skip = (chars: string) => {
    while (i < text.length && chars.includes(text[i]!)) i++
  }
  while (i < text.length) {
    skip(' \t,')
    const keyStart = i
    while (i < text.length && TOKEN_CHAR.test(text[i]!)) i++
    const key = text.slice(keyStart, i).toLowerCase()
    skip(' \t')
    if (key === '' || text[i] !== '=') {
      while (i < text.length && text[i] !== ',') i++
      continue
    }
    i++
    skip(' \t')
    let value = ''
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) value += text[i] === '\\' && i + 1 < text.length ? text[++i] : text[i]
      i++
    } else {
      const start = i
      while (i < text.length && !', \t'.includes(text[i]!)) i++
      value = text.slice(start, i)
    }
    params[key] ??= value
  }
  return params
}

/** Scopes grouped by resource (`repository:demo/app`) with their actions; insertion-ordered. */
export type ScopeSet = ReadonlyMap<string, ReadonlySet<string>>

/** The scope for reading a repository. */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`
}

/** The scope for writing a repository (push implies pull for every registry we know). */
export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`
}

/** Merges scope strings and sets into one set, keeping first-seen resource order. */
export function mergeScopes(...parts: Array<ScopeSet | readonly string[]>): ScopeSet {
  const out = new Map<string, Set<string>>()
  const add = (resource: string, actions: Iterable<string>) => {
    const set = out.get(resource) ?? new Set<string>()
    for (const action of actions) set.add(action)
    out.set(resource, set)
  }
  for (const part of parts) {
    if (part instanceof Map) for (const [resource, actions] of part) add(resource, actions)
    else for (const scope of part as readonly string[]) add(...splitScope(scope))
  }
  return out
}

/** Adds `scopes` to `set` in place as its newest resources, then drops the oldest beyond `max`. */
export function addNewestScopes(set: Map<string, Set<string>>, scopes: readonly string[], max: number): void {
  for (const scope of scopes) {
    const [resource, actions] = splitScope(scope)
    const found = set.get(resource) ?? new Set<string>()
    set.delete(resource)
    set.set(resource, found)
    for (const action of actions) found.add(action)
  }
  for (const resource of set.keys()) {
    if (set.size <= max) break
    set.delete(resource)
  }
}

/** Keeps the first `max` resources of `set`, in order. */
export function limitScopes(set: ScopeSet, max: number): ScopeSet {
  return set.size <= max ? set : new Map([...set].slice(0, max))
}

// The actions follow the last colon; the resource name itself never contains one.
function splitScope(scope: string): [string, string[]] {
  const colon = scope.lastIndexOf(':')
  if (colon < 0) return [scope, []]
  return [scope.slice(0, colon), scope.slice(colon + 1).split(',').filter(Boolean)]
}

/** Returns true when `have` grants every action of every resource in `need`. */
export function coversScopes(have: ScopeSet, need: ScopeSet): boolean {
  for (const [resource, actions] of need) {
    const granted = have.get(resource)
    for (const action of actions) if (!granted?.has(action) && !granted?.has('*')) return false
  }
  return true
}

/** Formats a scope set as the `scope` query values of a token request. */
export function formatScopes(set: ScopeSet): string[] {
  return [...set].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
}
