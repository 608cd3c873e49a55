/**
 * Bearer tokens of one registry host, keyed by the scopes they were requested for. A lookup reuses
 * any unexpired token covering the need; new requests accumulate the latest token's scopes
 * (as https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/transport/bearer.go does)
 * so that one token ends up covering a whole publish (auth.ts bounds how many resources one asks for).
 */
import { coversScopes, type ScopeSet } from './auth-challenge.ts'

/** A token and what it was issued for. */
export interface CachedToken {
  value: string
  scopes: ScopeSet
  expiresAt: number
}

/** The token cache of one host. */
export interface TokenCache {
  /** Returns the newest unexpired token covering `need`. */
  find(need: ScopeSet): CachedToken | undefined
  /** Returns the scopes of the newest unexpired token (a new request asks for them too); empty when none. */
  latestScopes(): ScopeSet
  /** Stores a token obtained at `obtainedAt` that lives `lifetimeMs`. */
  add(value: string, scopes: ScopeSet, obtainedAt: number, lifetimeMs: number): CachedToken
  /** Forgets a token the registry refused. */
  drop(value: string): void
}

// Tokens are retired early so that one never expires between the check and the request.
const MAX_SKEW_MS = 10_000

/** Creates an empty cache reading time from `now`. */
export function createTokenCache(now: () => number): TokenCache {
  let tokens: CachedToken[] = []
  const live = () => {
    const at = now()
    tokens = tokens.filter((token) => token.expiresAt > at)
    return tokens
  }
  return {
    find: (need) => live().findLast((token) => coversScopes(token.scopes, need)),
    latestScopes: () => live().at(-1)?.scopes ?? new Map(),
    add: (value, scopes, obtainedAt, lifetimeMs) => {
      const skew = Math.min(MAX_SKEW_MS, lifetimeMs / 2)
      const token = { value, scopes, expiresAt: obtainedAt + lifetimeMs - skew }
      tokens.push(token)
      return token
    },
    drop: (value) => {
      tokens = tokens.filter((token) => token.value !== value)
    },
  }
}
