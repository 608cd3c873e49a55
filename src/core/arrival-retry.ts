/**
 * Retries of an arrival that could not be resolved (its tag is missing, the registry failed):
 * exponential backoff between attempts, and an end. After `attempts` failures, or once the arrival
 * is older than `maxAgeMs`, it is `unresolvable`: no sweep asks the registry about it again until a
 * new push of its tag arrives. Temporary failures (network, 5xx, rate limits) end only by age, so
 * a registry outage of a few hours does not give up on real pushes. Pure.
 */
import type { Arrival, VersionState } from './version-state.ts'

/** When an arrival stops being retried (config `server.unresolvableAfterAttempts` / `…AfterHours`). */
export interface RetryPolicy {
  attempts: number
  maxAgeMs: number
}

// The next sweep retries a first failure (a registry hiccup, a tag link written late); after that
// the waits start at a minute (the default sweep interval) and double, up to an hour.
const FIRST_DELAY_MS = 60_000
const MAX_DELAY_MS = 3_600_000

/** How long to wait after the `failures`-th failed attempt. */
export function retryDelayMs(failures: number): number {
  return failures <= 1 ? 0 : Math.min(FIRST_DELAY_MS * 2 ** (failures - 2), MAX_DELAY_MS)
}

/** A failed attempt: the error text, and whether a later identical request may succeed. */
export interface AttemptFailure {
  message: string
  temporary: boolean
}

/**
 * Records a failed attempt to resolve `platform`'s arrival `seq`: pending again with a retry time,
 * or `unresolvable` at the end. Undefined when the arrival moved on meanwhile.
 */
export function markArrivalFailed(state: VersionState, platform: string, seq: number, failure: AttemptFailure, now: string, policy: RetryPolicy): VersionState | undefined {
  const arrival = state.arrivals[platform]
  if (!arrival || arrival.seq !== seq || arrival.status !== 'pending') return undefined
  const attempts = (arrival.attempts ?? 0) + 1
  const age = Date.parse(now) - Date.parse(arrival.receivedAt)
  const end = age >= policy.maxAgeMs || (!failure.temporary && attempts >= policy.attempts)
  const message = failure.message
  const next: Arrival = end
    ? { ...withoutRetryAt(arrival), status: 'unresolvable', attempts, reason: message }
    : { ...arrival, attempts, reason: message, retryAt: new Date(Date.parse(now) + retryDelayMs(attempts)).toISOString() }
  return { ...state, arrivals: { ...state.arrivals, [platform]: next }, updatedAt: now }
}

function withoutRetryAt(arrival: Arrival): Arrival {
  const { retryAt: _retryAt, ...rest } = arrival
  return rest
}

/** Returns true when the arrival is pending and its retry time (if any) has come. */
export function isArrivalDue(arrival: Arrival, now: string): boolean {
  return arrival.status === 'pending' && (arrival.retryAt === undefined || arrival.retryAt <= now)
}

/**
 * Returns true when no arrival of the version resolved and each has failed at least once: a push
 * nobody can find (a delivery naming tags that were never pushed). Such a version costs only its
 * due retries, not the HEADs that look for lost webhooks of its other arches.
 */
export function isFailingVersion(state: VersionState): boolean {
  const arrivals = Object.values(state.arrivals)
  return arrivals.length > 0 && arrivals.every((a) => a.status === 'unresolvable' || (a.status === 'pending' && (a.attempts ?? 0) > 0))
}
