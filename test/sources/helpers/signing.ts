// Signatures computed inside the tests with test secrets and test keys (never stored pre-signed).
// HMACs use node:crypto (synchronous, so the fuzz runs stay fast); the sources use Web Crypto.
import { createHmac } from 'node:crypto'
import type { Jwk } from '../../../src/sources/jwt.ts'

const encoder = new TextEncoder()

/** Encodes a body the way the tests send it. */
export function bytesOf(body: unknown): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body instanceof Uint8Array ? body : encoder.encode(JSON.stringify(body))
}

/** Hex HMAC-SHA256 of the exact bytes. */
export async function hmacSha256(secret: string, body: Uint8Array): Promise<string> {
  return createHmac('sha256', secret).update(body).digest('hex')
}

/** Hex HMAC-SHA1 of the exact bytes. */
export async function hmacSha1(secret: string, body: Uint8Array): Promise<string> {
  return createHmac('sha1', secret).update(body).digest('hex')
}

/** base64url without padding (RFC 7515 §2). */
export function base64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A test RSA key standing in for one of Google's: its public JWK and an RS256 signer. */
export interface TestSigner {
  jwk: Jwk
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
}

/** Generates an RSA-2048 key pair and returns a signer whose tokens carry `kid`. */
export async function createTestSigner(kid: string): Promise<TestSigner> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
  const pair = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const jwk: Jwk = { kty: 'RSA', kid, n: exported.n!, e: exported.e!, alg: 'RS256', use: 'sig' }
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const head = base64Url(bytesOf({ alg: 'RS256', kid, typ: 'JWT', ...header }))
    const payload = base64Url(bytesOf(claims))
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, encoder.encode(`${head}.${payload}`))
    return `${head}.${payload}.${base64Url(new Uint8Array(signature))}`
  }
  return { jwk, sign }
}
