/**
 * Content digests (sha256 only, as every registry we talk to uses it).
 * Pure: Web Crypto is a Web Standard available on Node, Lambda and Workers.
 */

const DIGEST = /^sha256:[a-f0-9]{64}$/

/** Returns the `sha256:<hex>` digest of exactly these bytes. */
export async function computeDigest(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return `sha256:${toHex(new Uint8Array(hash))}`
}

/** Returns true when `value` is a well-formed sha256 digest. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value)
}

/** Returns the lowercase hex form of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}
