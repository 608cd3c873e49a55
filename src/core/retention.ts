/**
 * Retention: which version ledgers a sweep may delete so that storage stays bounded. Pure. A
 * version goes once it is older than `days` (by when it was first seen) and not among the newest
 * `keepVersions` of its image; never while unfinished, and never while a moving tag names it.
 */
import { decideVersion, type VersionState } from './version-state.ts'

/** Config `server.retention`. */
export interface RetentionPolicy {
  days: number
  keepVersions: number
}

/** A version as its `recent/` markers tell it: when it was first seen. */
export interface SeenVersion {
  version: string
  createdAt: string
}

/** The versions old enough and beyond the newest `keepVersions` (oldest first); each still to be checked with `isPrunable`. */
export function choosePruneCandidates(seen: readonly SeenVersion[], policy: RetentionPolicy, now: number): string[] {
  const cutoff = new Date(now - policy.days * 86_400_000).toISOString()
  // A version may have two markers (two deliveries raced to create it): the first counts.
  const first = new Map<string, string>()
  for (const { version, createdAt } of seen) {
    const known = first.get(version)
    if (known === undefined || createdAt < known) first.set(version, createdAt)
  }
  const newestFirst = [...first].sort(([, a], [, b]) => (a < b ? 1 : a > b ? -1 : 0))
  return newestFirst.slice(policy.keepVersions).filter(([, createdAt]) => createdAt < cutoff).map(([version]) => version).reverse()
}

/** True when the ledger may go: completely published to every target, and named by no moving tag. */
export function isPrunable(state: VersionState, targets: readonly string[], movingTagVersions: ReadonlySet<string>): boolean {
  if (movingTagVersions.has(state.version)) return false
  const decision = decideVersion(state, targets)
  return decision.kind === 'published' && !decision.publication.partial
}
