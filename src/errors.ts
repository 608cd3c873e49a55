/**
 * The one error hierarchy: every error we throw on purpose extends AppError and carries a
 * literal `code`. `app.ts` maps codes to HTTP statuses in one place.
 */

/** Base of every deliberate error; `code` is a stable, machine-readable literal. */
export abstract class AppError extends Error {
  abstract readonly code: string
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The request body or parameters are malformed (HTTP 400). */
export class InvalidPayloadError extends AppError {
  readonly code = 'INVALID_PAYLOAD' as const
  readonly issues: string[]
  constructor(message: string, issues: string[] = []) {
    super(message)
    this.issues = issues
  }
}

/** The delivery could not be authenticated (HTTP 401). */
export class UnauthorizedError extends AppError {
  readonly code = 'UNAUTHORIZED' as const
}

/** The request is understood but this deployment does not allow it (HTTP 403). */
export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN' as const
}

/** The delivery names something this deployment is not configured for (HTTP 404). */
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const
}

/** The body is larger than the configured limit (HTTP 413). */
export class PayloadTooLargeError extends AppError {
  readonly code = 'PAYLOAD_TOO_LARGE' as const
}

/** The request body ended before its end: the client went away or the server's request timeout hit (HTTP 400). */
export class RequestAbortedError extends AppError {
  readonly code = 'REQUEST_ABORTED' as const
}

/** The body's content type is not one this route accepts (HTTP 415). */
export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE' as const
}

/** A registry document we must copy or publish is not what it claims to be. */
export class InvalidManifestError extends AppError {
  readonly code = 'INVALID_MANIFEST' as const
}

/** Optimistic-concurrency retries ran out (HTTP 503, the sender retries). */
export class StateConflictError extends AppError {
  readonly code = 'STATE_CONFLICT' as const
}

/** A value is over the store's MAX_VALUE_BYTES; nothing was written (HTTP 500: a bug, not the sender's). */
export class StateTooLargeError extends AppError {
  readonly code = 'STATE_TOO_LARGE' as const
}

/** The configuration is invalid; `issues` lists every bad key with its path. */
export class ConfigError extends AppError {
  readonly code = 'CONFIG_INVALID' as const
  readonly issues: string[]
  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`)
    this.issues = issues
  }
}

/** Returns true when `error` is one of our deliberate errors. */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError
}
