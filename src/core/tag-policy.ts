/**
 * Tag policy: which tags a published version gets, and when a moving tag (`latest`) may move.
 * Pure. `latest` goes only to the highest stable semver version, never backwards, never to a pre-release.
 */
import { compareSemver, isStable, parseSemver } from './semver.ts'

/** Where a moving tag points: the version it belongs to and the index digest pushed under it. */
export interface TagPointer {
  version: string
  digest: string
}

/** Outcome of asking whether a moving tag should follow a newly published version. */
export type MoveDecision =
  | { move: true }
  | { move: false; reason: 'not-semver' | 'pre-release' | 'older' | 'same-precedence' }

/**
 * Decides whether `latest` moves to `version` given where it points now.
 * Republishing the version `latest` already names (a rebuilt arch) moves it to the new digest.
 */
export function decideLatest(version: string, current: TagPointer | undefined): MoveDecision {
  const candidate = parseSemver(version)
  if (!candidate) return { move: false, reason: 'not-semver' }
  if (!isStable(candidate)) return { move: false, reason: 'pre-release' }
  if (!current || current.version === version) return { move: true }
  const existing = parseSemver(current.version)
  if (!existing) return { move: true }
  const order = compareSemver(candidate, existing)
  if (order > 0) return { move: true }
  return { move: false, reason: order < 0 ? 'older' : 'same-precedence' }
}
