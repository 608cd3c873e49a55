/**
 * Who may read `GET /status` (and trigger `POST /reconcile`): the admin bearer token when one is
 * configured; without one, /status only when `server.publicStatus` opens it, and then only under
 * a Host that DNS rebinding cannot produce (an IP literal or localhost): a page a browser loaded
 * from evil.example that rebinds evil.example to 127.0.0.1 still sends `Host: evil.example`.
 */
import type { AppConfig } from '../config.ts'
import { ForbiddenError } from '../errors.ts'
import { readBearer, requireSecret } from '../sources/verify.ts'

const REBINDING_SAFE_HOST = /^(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i

/** Throws UnauthorizedError / ForbiddenError unless this request may read the status. */
export async function requireStatusAccess(config: AppConfig, authorization: string | undefined, host: string): Promise<void> {
  const token = config.server.adminToken
  if (token) return requireSecret(readBearer(authorization ?? null), [token], 'admin bearer token')
  if (!config.server.publicStatus) throw new ForbiddenError('GET /status is closed: set server.adminToken (or server.publicStatus: true)')
  if (!isRebindingSafeHost(host)) throw new ForbiddenError('without server.adminToken, GET /status answers only under Host: localhost or an IP address')
}

/** Returns true for a Host header value that no DNS name can produce (IP literal, localhost). */
export function isRebindingSafeHost(host: string): boolean {
  return host.length <= 64 && REBINDING_SAFE_HOST.test(host)
}
