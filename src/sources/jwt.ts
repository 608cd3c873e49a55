/**
 * JSON Web Token checks for OIDC-authenticated pushes (Google Pub/Sub): an RS256 signature verified
 * against a JWKS taken from the configuration (sources never fetch keys), then issuer, audience and
 * expiry with clock skew. Web Crypto only. RFC 7515 (JWS), RFC 7517 (JWK), RFC 7519 (JWT).
 */
import * as z from 'zod/mini'
import { UnauthorizedError } from '../errors.ts'

/** One RSA public key of a JWKS, as Google publishes them. */
export interface Jwk {
  kty: 'RSA'
  kid: string
  n: string
  e: string
  alg?: string
  use?: string
}

/** What a token must satisfy. */
export interface JwtPolicy {
  keys: readonly Jwk[]
  issuers: readonly string[]
  audiences: readonly string[]
  nowSeconds: number
  skewSeconds: number
}

const MAX_TOKEN_LENGTH = 8192
const SEGMENT = /^[A-Za-z0-9_-]+$/
const headerSchema = z.object({ alg: z.string().check(z.maxLength(16)), kid: z.optional(z.string().check(z.maxLength(256))), typ: z.optional(z.string().check(z.maxLength(32))) })
const claimsSchema = z.object({
  iss: z.string().check(z.maxLength(512)),
  aud: z.union([z.string().check(z.maxLength(1024)), z.array(z.string().check(z.maxLength(1024))).check(z.maxLength(16))]),
  exp: z.number(),
  iat: z.number(),
  nbf: z.optional(z.number()),
  email: z.optional(z.string().check(z.maxLength(512))),
  email_verified: z.optional(z.boolean()),
})

/** The validated claims of a verified token. */
export type JwtClaims = z.infer<typeof claimsSchema>

const importedKeys = new WeakMap<Jwk, Promise<CryptoKey>>()

/** Verifies signature and claims; throws UnauthorizedError saying which check failed (never the token). */
export async function verifyJwt(token: string, policy: JwtPolicy): Promise<JwtClaims> {
  const segments = splitToken(token)
  const header = decodeSegment(segments[0], headerSchema, 'header')
  // Only RS256: refusing every other `alg` closes the "none" and HMAC-with-public-key confusions.
  if (header.alg !== 'RS256') throw new UnauthorizedError(`token algorithm "${header.alg}" is not RS256`)
  const jwk = policy.keys.find((key) => key.kid === header.kid)
  if (!jwk) throw new UnauthorizedError('token key id is not in the configured JWKS')
  await requireSignature(jwk, segments)
  const claims = decodeSegment(segments[1], claimsSchema, 'claims')
  checkClaims(claims, policy)
  return claims
}

function splitToken(token: string): [string, string, string] {
  const segments = token.split('.')
  if (token.length > MAX_TOKEN_LENGTH || segments.length !== 3 || !segments.every((s) => SEGMENT.test(s))) {
    throw new UnauthorizedError('bearer token is not a JWS compact serialization')
  }
  return segments as [string, string, string]
}

function decodeBase64Url(segment: string): Uint8Array {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  try {
    return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0))
  } catch {
    throw new UnauthorizedError('bearer token is not valid base64url')
  }
}

function decodeSegment<T>(segment: string, schema: z.ZodMiniType<T>, what: string): T {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(segment)))
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error
    throw new UnauthorizedError(`token ${what} is not JSON`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new UnauthorizedError(`token ${what} has unexpected fields`)
  return parsed.data
}

async function requireSignature(jwk: Jwk, [header, payload, signature]: [string, string, string]): Promise<void> {
  const key = await importKey(jwk)
  const signed = new TextEncoder().encode(`${header}.${payload}`)
  const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, decodeBase64Url(signature) as Uint8Array<ArrayBuffer>, signed)
  if (!valid) throw new UnauthorizedError('token signature does not verify')
}

function importKey(jwk: Jwk): Promise<CryptoKey> {
  let key = importedKeys.get(jwk)
  if (!key) {
    const material = { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RS256', ext: true }
    key = crypto.subtle
      .importKey('jwk', material, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify'])
      .catch(() => Promise.reject(new UnauthorizedError(`configured JWKS key "${jwk.kid}" is not a usable RSA public key`)))
    importedKeys.set(jwk, key)
  }
  return key
}

function checkClaims(claims: JwtClaims, policy: JwtPolicy): void {
  const { nowSeconds: now, skewSeconds: skew } = policy
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!policy.issuers.includes(claims.iss)) throw new UnauthorizedError('token issuer is not accepted')
  if (!audiences.some((aud) => policy.audiences.includes(aud))) throw new UnauthorizedError('token audience is not the configured one')
  if (claims.exp + skew <= now) throw new UnauthorizedError('token has expired')
  if (claims.iat - skew > now || (claims.nbf !== undefined && claims.nbf - skew > now)) {
    throw new UnauthorizedError('token is not valid yet (issued in the future)')
  }
}
