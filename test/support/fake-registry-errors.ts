/**
 * OCI error responses of the fake registry (`{"errors":[{"code","message","detail"}]}`).
 */

/** Builds an OCI error response. */
export function ociError(status: number, code: string, message: string, detail?: unknown): Response {
  return Response.json({ errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] }, { status })
}

/** The OCI code a fault with this status carries (TOOMANYREQUESTS for 429, and so on). */
export function faultCode(status: number): string {
  if (status === 429) return 'TOOMANYREQUESTS'
  if (status === 401) return 'UNAUTHORIZED'
  if (status === 403) return 'DENIED'
  if (status === 404) return 'NAME_UNKNOWN'
  if (status >= 500) return 'UNAVAILABLE'
  return 'UNSUPPORTED'
}
