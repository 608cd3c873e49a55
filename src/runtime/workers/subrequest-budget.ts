/**
 * The registry client's fetch on Workers: the global `fetch`, counted against the subrequests one
 * invocation may make (https://developers.cloudflare.com/workers/platform/limits/#subrequests:
 * 50 on the Free plan, 10,000 on Paid; every alarm and RPC call of a Durable Object is an
 * invocation with its own count). Past the budget a request is not sent: the caller gets a
 * SubrequestLimitError saying which limit, where workerd would fail the request with an opaque
 * "Too many subrequests". The work item stays queued and continues in the next invocation.
 */
import { AppError } from '../../errors.ts'

/** A registry request would exceed this invocation's subrequest budget (HTTP 503: try again). */
export class SubrequestLimitError extends AppError {
  readonly code = 'SUBREQUEST_LIMIT' as const
  readonly temporary = true
}

/** A counted fetch and its readings. */
export interface SubrequestBudget {
  fetch: typeof fetch
  /** Requests this invocation may still make. */
  remaining(): number
  used(): number
  /** Starts a new invocation's count. */
  reset(): void
}

// Subrequests kept back for our own calls to Durable Objects (state reads and writes) per invocation.
export const RESERVED_SUBREQUESTS = 10

/** Reads MANIFEST_HOOK_SUBREQUESTS (the plan's limit; default 50, the Free plan's). */
export function parseSubrequestLimit(value: unknown): number {
  const limit = typeof value === 'string' && value !== '' ? Number(value) : 50
  return Number.isInteger(limit) && limit > RESERVED_SUBREQUESTS ? limit : 50
}

/** Counts `fetchImpl` calls against `limit` minus the reserved ones. */
export function createSubrequestBudget(limit: number, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): SubrequestBudget {
  const allowed = limit - RESERVED_SUBREQUESTS
  let used = 0
  return {
    fetch: (input, init) => {
      if (used >= allowed) {
        const url = input instanceof Request ? input.url : String(input)
        return Promise.reject(new SubrequestLimitError(`not sent: ${new URL(url).host} would be subrequest ${used + 1} of this invocation, over the ${allowed} registry requests allowed (MANIFEST_HOOK_SUBREQUESTS=${limit}, ${RESERVED_SUBREQUESTS} kept for state); the work continues in the next invocation`))
      }
      used++
      return fetchImpl(input, init)
    },
    remaining: () => allowed - used,
    used: () => used,
    reset: () => void (used = 0),
  }
}
