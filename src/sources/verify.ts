/**
 * Shared authenticity helpers for every source: constant-time comparison, secret rotation
 * (any of several secrets may match) and HMAC over raw bytes. Web Crypto only.
 */
import { UnauthorizedError } from '../errors.ts'
import { toHex } from '../core/digest.ts'
import type { Secret } from '../secret.ts'

const encoder = new TextEncoder()

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
}

/** Compares two strings in time independent of where they differ (both are hashed first). */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)])
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

/** Returns true when `presented` equals any of `secrets`; every secret is compared (rotation). */
export async function matchesAnySecret(presented: string, secrets: readonly Secret[]): Promise<boolean> {
  const results = await Promise.all(secrets.map((secret) => timingSafeEqualText(presented, secret.reveal())))
  return results.includes(true)
}

/** Throws UnauthorizedError unless `presented` matches one of `secrets`. */
export async function requireSecret(presented: string | undefined | null, secrets: readonly Secret[], what: string): Promise<void> {
  if (secrets.length === 0) throw new UnauthorizedError(`${what}: no secret is configured for this source`)
  if (!presented) throw new UnauthorizedError(`${what} is missing`)
  if (!(await matchesAnySecret(presented, secrets))) throw new UnauthorizedError(`${what} does not match`)
}

/** Returns the lowercase hex HMAC of `body` with `key`. */
export async function hmacHex(algorithm: 'SHA-1' | 'SHA-256', key: string, body: Uint8Array): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: algorithm }, false, ['sign'])
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, body as Uint8Array<ArrayBuffer>)))
}

/** Returns the token of an `Authorization: Bearer <token>` header, or undefined. */
export function readBearer(header: string | null): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1]
}
