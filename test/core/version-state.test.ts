import { describe, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import {
  applyResolution,
  createVersionState,
  decideVersion,
  expireVersion,
  markTargetMissing,
  markFailed,
  markPublished,
  recordArrival,
  type ResolvedChild,
  type VersionState,
} from '../../src/core/version-state.ts'

const T = '2026-11-27T00:00:00.000Z'
const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`
const EXPECTED = ['linux/amd64', 'linux/arm64']

function child(n: number, arch: string): ResolvedChild {
  return { tagDigest: d(n), manifest: { mediaType: MEDIA_TYPES.dockerManifest, digest: d(n), size: n, platform: { os: 'linux', architecture: arch } }, attestations: [] }
}

function arrive(state: VersionState, platform: string, n: number): VersionState {
  const next = recordArrival(state, { platform, source: `r/app-${platform}:v1`, hintDigest: d(n), receivedAt: T })
  if (!next) throw new Error('expected a change')
  return next
}

function resolve(state: VersionState, platform: string, n: number): VersionState {
  const seq = state.arrivals[platform]!.seq
  return applyResolution(state, platform, seq, { kind: 'ready', child: child(n, platform.split('/')[1]!) }, T)!
}

describe('version state', () => {
  const empty = createVersionState('r/app', 'v1', EXPECTED, T)

  it('waits until every expected platform has arrived and resolved', () => {
    expect(decideVersion(empty)).toEqual({ kind: 'waiting', missing: EXPECTED, pending: [], unresolvable: [] })
    const one = arrive(empty, 'linux/amd64', 1)
    expect(decideVersion(one)).toEqual({ kind: 'waiting', missing: ['linux/arm64'], pending: ['linux/amd64'], unresolvable: [] })
    const both = resolve(arrive(resolve(one, 'linux/amd64', 1), 'linux/arm64', 2), 'linux/arm64', 2)
    const decision = decideVersion(both)
    expect(decision.kind).toBe('ready')
    expect(decision.kind === 'ready' && decision.children.map((c) => c.manifest.digest)).toEqual([d(1), d(2)])
    expect(decision.kind === 'ready' && decision.partial).toBe(false)
  })

  it('treats a redelivery with the same digest as a duplicate', () => {
    const resolved = resolve(arrive(empty, 'linux/amd64', 1), 'linux/amd64', 1)
    expect(recordArrival(resolved, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', hintDigest: d(1), receivedAt: T })).toBeUndefined()
    const pending = arrive(empty, 'linux/amd64', 1)
    expect(recordArrival(pending, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', hintDigest: d(1), receivedAt: T })).toBeUndefined()
  })

  it('re-resolves when the digest changes (a rebuild) or is unknown (Docker Hub)', () => {
    const resolved = resolve(arrive(empty, 'linux/amd64', 1), 'linux/amd64', 1)
    const rebuilt = recordArrival(resolved, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', hintDigest: d(7), receivedAt: T })
    expect(rebuilt?.arrivals['linux/amd64']).toMatchObject({ status: 'pending', seq: 2, hintDigest: d(7) })
    const unknown = recordArrival(resolved, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', receivedAt: T })
    expect(unknown?.arrivals['linux/amd64']?.status).toBe('pending')
  })

  it('keeps the last good resolution while the same tag is pending again', () => {
    const resolved = resolve(arrive(empty, 'linux/amd64', 1), 'linux/amd64', 1)
    const again = recordArrival(resolved, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', receivedAt: T })!
    expect(again.arrivals['linux/amd64']).toMatchObject({ status: 'pending', previous: { tagDigest: d(1) } })
    expect(again.arrivals['linux/amd64']?.child).toBeUndefined()
    const other = recordArrival(resolved, { platform: 'linux/amd64', source: 'r/other:v1', receivedAt: T })!
    expect(other.arrivals['linux/amd64']?.previous).toBeUndefined()
    const reResolved = resolve(again, 'linux/amd64', 1)
    expect(reResolved.arrivals['linux/amd64']?.previous).toBeUndefined()
  })

  it('drops a resolution that raced with a newer arrival', () => {
    const first = arrive(empty, 'linux/amd64', 1)
    const staleSeq = first.arrivals['linux/amd64']!.seq
    const second = recordArrival(first, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', hintDigest: d(2), receivedAt: T })!
    expect(applyResolution(second, 'linux/amd64', staleSeq, { kind: 'ready', child: child(1, 'amd64') }, T)).toBeUndefined()
  })

  it('refuses the whole version while one platform is refused, and recovers on a good rebuild', () => {
    const one = arrive(empty, 'linux/amd64', 1)
    const refused = applyResolution(one, 'linux/amd64', 1, { kind: 'refused', reason: 'config says linux/arm64', tagDigest: d(1) }, T)!
    expect(decideVersion(refused)).toEqual({ kind: 'refused', refusals: [{ platform: 'linux/amd64', reason: 'config says linux/arm64' }] })
    expect(recordArrival(refused, { platform: 'linux/amd64', source: 'r/app-linux/amd64:v1', hintDigest: d(1), receivedAt: T })).toBeUndefined()
    const fixed = resolve(arrive(refused, 'linux/amd64', 3), 'linux/amd64', 3)
    expect(fixed.arrivals['linux/amd64']).toMatchObject({ status: 'ready', tagDigest: d(3) })
    expect(fixed.arrivals['linux/amd64']?.reason).toBeUndefined()
  })

  it('is published only while the publication covers the current children', () => {
    const ready = resolve(arrive(resolve(arrive(empty, 'linux/amd64', 1), 'linux/amd64', 1), 'linux/arm64', 2), 'linux/arm64', 2)
    const failed = markFailed(ready, 'registry down', T)
    expect(failed.failure).toEqual({ message: 'registry down', at: T, attempts: 1 })
    const publication = { digest: d(10), mediaType: MEDIA_TYPES.dockerList, manifest: '{}', children: [d(1), d(2)], tags: ['v1'], partial: false, at: T }
    const published = markPublished(failed, publication, 'r/app')
    expect(published.failure).toBeUndefined()
    expect(decideVersion(published)).toEqual({ kind: 'published', publication: { ...publication, targets: ['r/app'] } })
    expect(decideVersion(published, ['r/app', 'mirror/app']).kind).toBe('ready')
    expect(decideVersion(markPublished(published, publication, 'mirror/app'), ['r/app', 'mirror/app']).kind).toBe('published')
    const rebuilt = resolve(arrive(published, 'linux/arm64', 5), 'linux/arm64', 5)
    expect(decideVersion(rebuilt).kind).toBe('ready')
  })

  it('drops a delivery older than one already seen for the same tag', () => {
    const newer = recordArrival(empty, { platform: 'linux/amd64', source: 'r/app:v1-amd64', hintDigest: d(2), eventAt: '2026-11-27T10:00:01.000000000Z', receivedAt: T })!
    expect(recordArrival(newer, { platform: 'linux/amd64', source: 'r/app:v1-amd64', hintDigest: d(1), eventAt: '2026-11-27T10:00:00.500000000Z', receivedAt: T })).toBeUndefined()
    const later = recordArrival(newer, { platform: 'linux/amd64', source: 'r/app:v1-amd64', hintDigest: d(3), eventAt: '2026-11-27T10:00:02.000000000Z', receivedAt: T })
    expect(later?.arrivals['linux/amd64']).toMatchObject({ hintDigest: d(3), eventAt: '2026-11-27T10:00:02.000000000Z' })
  })

  it('publishes the arches present after the deadline when asked to, and marks stale otherwise', () => {
    const one = resolve(arrive(empty, 'linux/amd64', 1), 'linux/amd64', 1)
    const early = '2026-11-27T00:00:59.000Z'
    const late = '2026-11-27T00:01:01.000Z'
    expect(expireVersion(one, 'publish-partial', 60_000, early)).toBeUndefined()
    const partial = expireVersion(one, 'publish-partial', 60_000, late)!
    const decision = decideVersion(partial)
    expect(decision.kind === 'ready' && decision.partial).toBe(true)
    expect(decision.kind === 'ready' && decision.children.map((c) => c.manifest.digest)).toEqual([d(1)])
    expect(decideVersion(expireVersion(one, 'stale', 60_000, late)!)).toEqual({ kind: 'stale', missing: ['linux/arm64'], pending: [], unresolvable: [] })
    const completed = resolve(arrive(partial, 'linux/arm64', 2), 'linux/arm64', 2)
    const full = decideVersion(completed)
    expect(full.kind === 'ready' && !full.partial && full.children.length === 2).toBe(true)
  })

  it('forgets a target whose version tag went missing', () => {
    const ready = resolve(arrive(resolve(arrive(empty, 'linux/amd64', 1), 'linux/amd64', 1), 'linux/arm64', 2), 'linux/arm64', 2)
    const publication = { digest: d(10), mediaType: MEDIA_TYPES.dockerList, manifest: '{}', children: [d(1), d(2)], tags: ['v1'], partial: false, at: T }
    const published = markPublished(ready, publication, 'r/app')
    expect(decideVersion(markTargetMissing(published, 'r/app', T)!).kind).toBe('ready')
    expect(markTargetMissing(published, 'other', T)).toBeUndefined()
  })
})
