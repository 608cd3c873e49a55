import { describe, expect, it } from 'vitest'
import { isArrivalDue, isFailingVersion, markArrivalFailed, retryDelayMs } from '../../src/core/arrival-retry.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { applyResolution, createVersionState, decideVersion, recordArrival, type VersionState } from '../../src/core/version-state.ts'

const T = '2026-11-27T00:00:00.000Z'
const at = (ms: number) => new Date(Date.parse(T) + ms).toISOString()
const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`
const POLICY = { attempts: 3, maxAgeMs: 86_400_000 }
const NOT_FOUND = { message: 'GET …/manifests/v9: 404', temporary: false }
const source = 'r/app-amd64:v9'

function pendingState(): VersionState {
  return recordArrival(createVersionState('r/app', 'v9', ['linux/amd64', 'linux/arm64'], T), { platform: 'linux/amd64', source, hintDigest: d(1), receivedAt: T })!
}
const fail = (state: VersionState, now: string, failure = NOT_FOUND) => markArrivalFailed(state, 'linux/amd64', state.arrivals['linux/amd64']!.seq, failure, now, POLICY)!

describe('arrival retries', () => {
  it('retries a first failure at the next sweep, then backs off exponentially from a minute up to an hour', () => {
    expect([1, 2, 3, 4, 8, 9, 30].map(retryDelayMs)).toEqual([0, 60_000, 120_000, 240_000, 3_600_000, 3_600_000, 3_600_000])
  })

  it('retries a failed arrival when its time comes and ends unresolvable after the configured attempts', () => {
    const once = fail(pendingState(), T)
    expect(once.arrivals['linux/amd64']).toMatchObject({ status: 'pending', attempts: 1, retryAt: T, reason: NOT_FOUND.message })
    expect(isArrivalDue(once.arrivals['linux/amd64']!, T)).toBe(true)
    const twice = fail(once, at(1000))
    expect(twice.arrivals['linux/amd64']).toMatchObject({ status: 'pending', attempts: 2, retryAt: at(61_000) })
    expect(isArrivalDue(twice.arrivals['linux/amd64']!, at(60_999))).toBe(false)
    expect(isArrivalDue(twice.arrivals['linux/amd64']!, at(61_000))).toBe(true)
    const ended = fail(twice, at(61_000))
    expect(ended.arrivals['linux/amd64']).toMatchObject({ status: 'unresolvable', attempts: 3, reason: NOT_FOUND.message })
    expect(ended.arrivals['linux/amd64']!.retryAt).toBeUndefined()
    expect(isArrivalDue(ended.arrivals['linux/amd64']!, at(86_400_000))).toBe(false)
    expect(decideVersion(ended)).toEqual({ kind: 'waiting', missing: ['linux/arm64'], pending: [], unresolvable: ['linux/amd64'] })
    expect(isFailingVersion(ended)).toBe(true)
    expect(markArrivalFailed(ended, 'linux/amd64', ended.arrivals['linux/amd64']!.seq, NOT_FOUND, at(200_000), POLICY)).toBeUndefined()
  })

  it('ends temporary failures only by age', () => {
    const outage = { message: '503', temporary: true }
    let state = pendingState()
    for (let i = 0; i < 5; i++) state = fail(state, at(i * 1000), outage)
    expect(state.arrivals['linux/amd64']).toMatchObject({ status: 'pending', attempts: 5 })
    expect(fail(state, at(86_400_000), outage).arrivals['linux/amd64']).toMatchObject({ status: 'unresolvable', attempts: 6 })
  })

  it('ignores a redelivery of the unresolvable push; a new digest or a push without one starts again', () => {
    const ended = fail(fail(fail(pendingState(), T), T), T)
    expect(recordArrival(ended, { platform: 'linux/amd64', source, hintDigest: d(1), receivedAt: at(1) })).toBeUndefined()
    const genuine = recordArrival(ended, { platform: 'linux/amd64', source, hintDigest: d(2), receivedAt: at(1) })!
    expect(genuine.arrivals['linux/amd64']).toMatchObject({ status: 'pending', seq: 2, hintDigest: d(2) })
    expect(genuine.arrivals['linux/amd64']!.attempts).toBeUndefined()
    expect(recordArrival(ended, { platform: 'linux/amd64', source, receivedAt: at(1) })!.arrivals['linux/amd64']).toMatchObject({ status: 'pending', seq: 2 })
  })

  it('clears the retry count once the arrival resolves; a version with a resolved arrival is not failing', () => {
    const once = fail(pendingState(), T)
    const child = { tagDigest: d(1), manifest: { mediaType: MEDIA_TYPES.dockerManifest, digest: d(1), size: 1, platform: { os: 'linux', architecture: 'amd64' } }, attestations: [] }
    const ready = applyResolution(once, 'linux/amd64', 1, { kind: 'ready', child }, at(60_000))!
    expect(ready.arrivals['linux/amd64']!.attempts).toBeUndefined()
    expect(ready.arrivals['linux/amd64']!.retryAt).toBeUndefined()
    expect(isFailingVersion(ready)).toBe(false)
    expect(isFailingVersion(pendingState())).toBe(false)
  })
})
