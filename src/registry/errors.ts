/**
 * RegistryError: every failure of the registry client, with status, OCI error codes, a redacted URL
 * and a retryability flag; plus the one place that decides which statuses and codes are temporary.
 */
import { AppError } from '../errors.ts'
import { clipText, redactUrl } from '../log.ts'
import { readPrefix } from './body.ts'

/** Why a registry call failed. */
export type RegistryErrorReason =
  | 'http'
  | 'network'
  | 'digest-mismatch'
  | 'too-large'
  | 'not-configured'
  | 'realm-refused'
  | 'unauthorized'
  | 'timeout'

/** What a RegistryError is built from; `detail` is the text after `METHOD url: `. */
export interface RegistryErrorInit {
  reason: RegistryErrorReason
  method: string
  url: string | URL
  detail: string
  status?: number
  ociCodes?: string[]
  temporary?: boolean
  cause?: unknown
  /** The whole message, when `METHOD url: detail` does not read well (timeouts name the registry first). */
  message?: string
}

/** A failed registry call; its message and fields never contain credentials. */
export class RegistryError extends AppError {
  readonly code = 'REGISTRY_ERROR' as const
  readonly reason: RegistryErrorReason
  readonly status?: number
  readonly ociCodes: string[]
  readonly method: string
  readonly url: string
  readonly temporary: boolean
  constructor(init: RegistryErrorInit) {
    const url = redactUrl(String(init.url))
    super(init.message === undefined ? `${init.method} ${url}: ${init.detail}` : redactUrl(init.message), init.cause === undefined ? undefined : { cause: init.cause })
    this.reason = init.reason
    if (init.status !== undefined) this.status = init.status
    this.ociCodes = init.ociCodes ?? []
    this.method = init.method
    this.url = url
    this.temporary = init.temporary ?? false
  }
}

/** Returns true when `error` is a RegistryError worth retrying (network failure, 5xx, rate limit). */
export function isTemporaryRegistryError(error: unknown): boolean {
  return error instanceof RegistryError && error.temporary
}

// Statuses retried by go-containerregistry by default:
// https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/options.go
const TEMPORARY_STATUSES = new Set([
  408, // request timeout
  429, // rate limited (Docker Hub TOOMANYREQUESTS)
  499, // nginx "client closed request", seen from registries behind nginx
  500, // internal error
  502, // bad gateway
  503, // unavailable
  504, // gateway timeout
  522, // Cloudflare "connection timed out" to the origin
])
// Error codes the distribution spec marks as retryable:
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
const TEMPORARY_CODES = new Set(['TOOMANYREQUESTS', 'UNAVAILABLE'])

/** Returns true for HTTP statuses that a later identical request may not get. */
export function isTemporaryStatus(status: number): boolean {
  return TEMPORARY_STATUSES.has(status)
}

/** Returns true when any OCI error code in the list is a temporary one. */
export function hasTemporaryCode(codes: readonly string[]): boolean {
  return codes.some((code) => TEMPORARY_CODES.has(code))
}

/** One entry of an OCI error body `{"errors":[{"code","message","detail"}]}`. */
export interface OciDiagnostic {
  code: string
  message?: string
}

/** Error bodies are read with a cap, as go-containerregistry's transport/error.go does. */
export const ERROR_BODY_LIMIT = 64 * 1024

/** Parses an OCI error body; returns [] for anything else. */
export function parseOciErrors(bytes: Uint8Array): OciDiagnostic[] {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes))
    const errors = (json as { errors?: unknown }).errors
    if (!Array.isArray(errors)) return []
    return errors.flatMap((entry: { code?: unknown; message?: unknown }) =>
      typeof entry?.code === 'string'
        ? [{ code: entry.code, ...(typeof entry.message === 'string' ? { message: entry.message } : {}) }]
        : [],
    )
  } catch {
    return []
  }
}

const MAX_DIAGNOSTICS = 20
const MAX_DETAIL_CHARS = 500

/** Builds the RegistryError for an unexpected response, reading its OCI error body (capped). */
export async function readRegistryError(
  response: Response,
  method: string,
  url: string | URL,
  reason: RegistryErrorReason = response.status === 401 ? 'unauthorized' : 'http',
): Promise<RegistryError> {
  const bytes = method === 'HEAD' ? new Uint8Array() : await readPrefix(response, ERROR_BODY_LIMIT)
  const diagnostics = parseOciErrors(bytes)
  const codes = diagnostics.map((d) => d.code)
  // distribution repeats an entry per missing child; one line per distinct problem is enough.
  const summary = [...new Set(diagnostics.slice(0, MAX_DIAGNOSTICS).map((d) => [d.code, d.message].filter(Boolean).join(' ')))].join('; ')
  // A registry's text goes into logs and /status: a prefix says enough.
  const detail = clipText(`${response.status} ${summary || response.statusText || 'HTTP error'}`.trim(), MAX_DETAIL_CHARS)
  return new RegistryError({
    reason,
    method,
    url,
    detail,
    status: response.status,
    ociCodes: codes,
    temporary: isTemporaryStatus(response.status) || hasTemporaryCode(codes),
  })
}
