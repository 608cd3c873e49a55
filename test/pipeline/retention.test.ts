import { describe, expect, it } from 'vitest'
import type { ImageConfig } from '../../src/config.ts'
import { createImageState, type ImageState } from '../../src/core/image-state.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { choosePruneCandidates } from '../../src/core/retention.ts'
import { applyResolution, createVersionState, markPublished, recordArrival, type VersionState } from '../../src/core/version-state.ts'
import { sweep } from '../../src/pipeline/sweep.ts'
import { imageKey, listKeys, recentKey, recentPrefix, versionKey, versionPrefix, type StateStore } from '../../src/state/store.ts'
import { createScenario, HOST } from '../support/scenario.ts'

const NOW = Date.parse('2026-11-27T12:00:00.000Z')
const DAY = 86_400_000
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`
const at = (ms: number) => new Date(ms).toISOString()

// Version n of an image, first seen 200 - n days ago, published unless `unfinished`.
function buildLedger(image: ImageConfig, n: number, unfinished: boolean): VersionState {
  const createdAt = at(NOW - (200 - n) * DAY)
  const version = `1.0.${n}`
  let state = createVersionState(image.name, version, ['linux/amd64'], createdAt)
  if (unfinished) return state
  state = recordArrival(state, { platform: 'linux/amd64', source: `${image.name}-amd64:${version}`, receivedAt: createdAt, hintDigest: digest(n) }) ?? state
  const child = { tagDigest: digest(n), manifest: { mediaType: MEDIA_TYPES.dockerManifest, digest: digest(n), size: 1, platform: { os: 'linux', architecture: 'amd64' } }, attestations: [] }
  state = applyResolution(state, 'linux/amd64', 1, { kind: 'ready', child }, createdAt) ?? state
  return markPublished(state, { digest: digest(100_000 + n), mediaType: MEDIA_TYPES.dockerList, manifest: '{}', children: [digest(n)], tags: [version], partial: false, at: createdAt }, image.targetNames[0] as string)
}

// 100 versions per image; version 10 unfinished, version 20 named by a moving tag, plus a marker left without its ledger.
async function seed(store: StateStore, image: ImageConfig): Promise<ImageState> {
  for (let n = 0; n < 100; n++) {
    const state = buildLedger(image, n, n === 10)
    await store.save(recentKey(image.name, state.createdAt, state.version), { version: state.version }, 0)
    await store.save(versionKey(image.name, state.version), state, 0)
  }
  await store.save(recentKey(image.name, at(NOW - 300 * DAY), '0.9.0'), { version: '0.9.0' }, 0)
  const pointer = (n: number) => ({ version: `1.0.${n}`, digest: digest(100_000 + n), pushed: [image.targetNames[0] as string] })
  const state: ImageState = { ...createImageState(image.name), tags: { latest: pointer(99), pinned: pointer(20) } }
  await store.save(imageKey(image.name), state, 0)
  return state
}

describe('retention', () => {
  it('keeps the newest keepVersions and every version younger than days', () => {
    const seen = Array.from({ length: 6 }, (_, n) => ({ version: `v${n}`, createdAt: at(NOW - (6 - n) * DAY) }))
    expect(choosePruneCandidates(seen, { days: 2.5, keepVersions: 1 }, NOW)).toEqual(['v0', 'v1', 'v2', 'v3'])
    expect(choosePruneCandidates(seen, { days: 0, keepVersions: 4 }, NOW)).toEqual(['v0', 'v1'])
    // Two markers of one version: the first one counts.
    expect(choosePruneCandidates([...seen, { version: 'v5', createdAt: at(NOW - 10 * DAY) }], { days: 0, keepVersions: 0 }, NOW)).toEqual(['v5', 'v0', 'v1', 'v2', 'v3', 'v4'])
  })

  it('shrinks 100 images x 100 versions to the bound in one full sweep, sparing unfinished and moving-tag versions', async () => {
    const images = Array.from({ length: 100 }, (_, i) => ({ target: `${HOST}/demo/img-${i}`, from: `${HOST}/demo/img-${i}-{arch}:{version}`, platforms: ['linux/amd64'] }))
    const s = createScenario({ images, server: { adminToken: 'admin-token', discoverVersions: false, retention: { days: 90, keepVersions: 50 } } })
    s.test.deps.now = () => new Date(NOW)
    const tags = new Map<string, string>()
    for (const image of s.test.deps.config.images) {
      const state = await seed(s.test.deps.store, image)
      for (const [tag, pointer] of Object.entries(state.tags)) tags.set(`${image.name.slice(HOST.length + 1)}:${tag}`, pointer.digest)
    }
    // The moving tags are where the ledger says (the full sweep re-checks them with HEAD).
    s.registry.onRequest = (request) => {
      const match = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(new URL(request.url).pathname)
      const found = match && tags.get(`${match[1]}:${match[2]}`)
      return request.method === 'HEAD' && found ? new Response(null, { headers: { 'docker-content-digest': found, 'content-type': MEDIA_TYPES.dockerList, 'content-length': '2' } }) : undefined
    }
    const report = await sweep(s.test.deps, { full: true })
    expect(report).toMatchObject({ versionsChecked: 100 * 100, versionsProcessed: 0, failures: 0 })
    const kept = ['1.0.10', '1.0.20', ...Array.from({ length: 50 }, (_, n) => `1.0.${50 + n}`)].sort()
    for (const image of s.test.deps.config.images) {
      expect((await listKeys(s.test.deps.store, versionPrefix(image.name))).map((key) => key.slice(versionPrefix(image.name).length)).sort()).toEqual(kept)
      expect((await listKeys(s.test.deps.store, recentPrefix(image.name))).map((key) => key.split('/').at(-1)).sort()).toEqual(kept)
    }
    // Only HEADs of the 200 moving tags: nothing was pushed or republished.
    expect(s.registry.requests.map((r) => r.method)).toEqual(Array.from({ length: 200 }, () => 'HEAD'))
    // A second sweep prunes nothing more.
    await sweep(s.test.deps, { full: true })
    expect(await listKeys(s.test.deps.store, versionPrefix(`${HOST}/demo/img-7`))).toHaveLength(52)
  })
})
