/**
 * The status page's sign-in: the admin token is typed once into a form and exchanged for a cookie
 * (HttpOnly, SameSite=Strict, never in a URL). The cookie holds HMAC-SHA256(token, label), not
 * the token: it proves the token was known and stops working when the token changes.
 */
import type { Secret } from '../secret.ts'
import { timingSafeEqualHex } from '../sources/verify.ts'
import { toHex } from '../core/digest.ts'

export const SESSION_COOKIE = 'mh_status'
const LABEL = 'manifest-hook status page session'
const MAX_AGE_SECONDS = 12 * 3600

/** The cookie value for a token. */
export async function buildSessionValue(token: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(LABEL))))
}

/** True when the request's Cookie header carries the session of `token`. */
export async function isSignedIn(cookieHeader: string | undefined, token: Secret): Promise<boolean> {
  const presented = readCookie(cookieHeader ?? '', SESSION_COOKIE)
  return presented !== undefined && timingSafeEqualHex(presented, await buildSessionValue(token.reveal()))
}

/** The Set-Cookie value that signs in (`value`) or out (undefined). */
export function formatSessionCookie(value: string | undefined, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${value === undefined ? 0 : MAX_AGE_SECONDS}`, ...(secure ? ['Secure'] : [])]
  return [`${SESSION_COOKIE}=${value ?? ''}`, ...attributes].join('; ')
}

function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}
