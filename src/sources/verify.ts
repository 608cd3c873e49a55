/**
 * Shared authenticity helpers for every source: constant-time comparison, secret rotation
 * (any of several secrets may match), HMAC over raw bytes, static headers and Basic auth. Web Crypto only.
 */
import { UnauthorizedError } from '../errors.ts'
import { toHex } from '../core/digest.ts'
import type { Secret } from '../secret.ts'
import type { DeliveryHead } from './source.ts'

const encoder = new TextEncoder()

/** Compares strings whose length is public (hex HMACs) in time independent of where they differ. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Compares a presented value with a secret in time that depends only on the secret's length, never
 * on the presented content or where the two differ (UTF-16 code units: equal strings, equal units).
 * Synchronous and allocation-free: a Web Crypto digest per compare costs a thread-pool round trip
 * on Node, which dominated webhook handling.
 */
export function timingSafeEqualSecret(presented: string, secret: string): boolean {
  let diff = presented.length ^ secret.length
  // Past the presented value's end charCodeAt is NaN, and NaN | 0 is 0: a shorter value still costs the full loop.
  for (let i = 0; i < secret.length; i++) diff |= (presented.charCodeAt(i) | 0) ^ secret.charCodeAt(i)
  return diff === 0
}

/** Returns true when a presented value (or any of several) equals any of `secrets`; every pair is compared (rotation). */
export function matchesAnySecret(presented: string | readonly string[], secrets: readonly Secret[]): boolean {
  let matched = false
  for (const value of typeof presented === 'string' ? [presented] : presented) {
    for (const secret of secrets) matched = timingSafeEqualSecret(value, secret.reveal()) || matched
  }
  return matched
}

/** Throws UnauthorizedError unless `presented` matches one of `secrets`. */
export function requireSecret(presented: string | undefined | null, secrets: readonly Secret[], what: string): void {
  if (secrets.length === 0) throw new UnauthorizedError(`${what}: no secret is configured for this source`)
  if (!presented) throw new UnauthorizedError(`${what} is missing`)
  if (!matchesAnySecret(presented, secrets)) throw new UnauthorizedError(`${what} does not match`)
}

/** Returns the token of an `Authorization: Bearer <token>` header, or undefined. */
export function readBearer(header: string | null): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1]
}

/** What an HMAC check needs: the algorithm, the candidate signed bytes and the secrets (rotation). */
export interface HmacCheck {
  algorithm: 'SHA-1' | 'SHA-256'
  /** The raw body first; a source may add a canonical form its sender signs instead (Nexus). */
  bodies: readonly Uint8Array[]
  secrets: readonly Secret[]
  what: string
}

/** Throws UnauthorizedError unless `presentedHex` is the HMAC of one of the bodies under one of the secrets. */
export async function requireHmac(presentedHex: string | undefined | null, check: HmacCheck): Promise<void> {
  if (check.secrets.length === 0) throw new UnauthorizedError(`${check.what}: no secret is configured for this source`)
  if (!presentedHex) throw new UnauthorizedError(`${check.what} is missing`)
  const expected = await Promise.all(check.bodies.flatMap((body) => check.secrets.map((secret) => hmacWithSecret(check.algorithm, secret, body))))
  const presented = presentedHex.trim().toLowerCase()
  if (!expected.map((hex) => timingSafeEqualHex(presented, hex)).includes(true)) throw new UnauthorizedError(`${check.what} does not match`)
}

// Imported HMAC keys per secret: importing costs as much as signing, and secrets live as long as the config.
const hmacKeys = new WeakMap<Secret, Map<string, Promise<CryptoKey>>>()

async function hmacWithSecret(algorithm: HmacCheck['algorithm'], secret: Secret, body: Uint8Array): Promise<string> {
  const keys = hmacKeys.get(secret) ?? new Map<string, Promise<CryptoKey>>()
  hmacKeys.set(secret, keys)
  let key = keys.get(algorithm)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret.reveal()), { name: 'HMAC', hash: algorithm }, false, ['sign'])
    keys.set(algorithm, key)
  }
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', await key, body as Uint8Array<ArrayBuffer>)))
}

/** Throws UnauthorizedError unless a static header carries a secret: its whole value, or the token after `Bearer `. */
export function requireHeaderSecret(header: string | null, secrets: readonly Secret[], what: string): void {
  const value = header?.trim()
  const bearer = readBearer(header)
  if (secrets.length === 0) throw new UnauthorizedError(`${what}: no secret is configured for this source`)
  if (!value) throw new UnauthorizedError(`${what} is missing`)
  if (!matchesAnySecret(bearer ? [value, bearer] : [value], secrets)) throw new UnauthorizedError(`${what} does not match`)
}

/** Returns the user and password of an `Authorization: Basic <base64>` header, or undefined. */
export function readBasicAuth(header: string | null): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '')
  if (!match?.[1]) return undefined
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
  const colon = text.indexOf(':')
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** Throws UnauthorizedError unless Basic credentials name `username` and one of `passwords`. */
export function requireBasicAuth(header: string | null, username: string, passwords: readonly Secret[], what: string): void {
  if (passwords.length === 0) throw new UnauthorizedError(`${what}: no password is configured for this source`)
  const presented = readBasicAuth(header)
  if (!presented) throw new UnauthorizedError(`${what} is missing`)
  const [userOk, passwordOk] = [timingSafeEqualSecret(presented.username, username), matchesAnySecret(presented.password, passwords)]
  if (!userOk || !passwordOk) throw new UnauthorizedError(`${what} does not match`)
}

/**
 * For a source authenticated by headers or route parameters alone: the same check serves before the
 * body is read. A static secret is checked synchronously (no promise per delivery); a signed token
 * (GAR's JWT, Web Crypto) returns a promise.
 */
export function verifyByHead<O>(check: (head: DeliveryHead, options: O) => void | Promise<void>): {
  verifyHead: (head: DeliveryHead, options: O) => boolean | Promise<boolean>
  verify: (head: DeliveryHead, options: O) => Promise<void>
} {
  return {
    verifyHead: (head, options) => {
      const checked = check(head, options)
      return checked instanceof Promise ? checked.then(() => true) : true
    },
    verify: async (head, options) => check(head, options),
  }
}
