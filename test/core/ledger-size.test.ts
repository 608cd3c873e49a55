// How large a version's ledger gets (the store's largest value; state/store.ts MAX_VALUE_BYTES).
import { describe, expect, it } from 'vitest'
import { buildIndex, type IndexChild } from '../../src/core/index-manifest.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { applyResolution, createVersionState, markFailed, markPublished, recordArrival, type ResolvedChild, type VersionState } from '../../src/core/version-state.ts'
import { MAX_VALUE_BYTES } from '../../src/state/store.ts'

const digest = (seed: string, n: number) => `sha256:${(seed + n.toString(16)).padStart(64, '0').slice(-64)}`
const NOW = '2026-12-03T08:00:00.000Z'
const PLATFORMS = ['amd64', 'arm64', 'arm/v7', 'arm/v6', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le', 'loong64', 'arm/v5', 'amd64/v2', 'amd64/v3', 'arm64/v9', 'wasm', 'mips64'].map((a) => `linux/${a}`)
// Every OCI annotation a build commonly sets, with long values (a 500-character description).
const ANNOTATIONS = {
  'org.opencontainers.image.created': NOW,
  'org.opencontainers.image.source': `https://github.com/${'org'.repeat(10)}/${'app'.repeat(10)}`,
  'org.opencontainers.image.revision': 'f'.repeat(40),
  'org.opencontainers.image.version': 'v1.2.3-rc.4+build.5678',
  'org.opencontainers.image.title': 'app'.repeat(20),
  'org.opencontainers.image.description': 'd'.repeat(500),
  'org.opencontainers.image.licenses': 'Apache-2.0 AND MIT',
  'org.opencontainers.image.url': `https://example.com/${'x'.repeat(80)}`,
  'org.opencontainers.image.vendor': 'Example Corporation',
  'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm-slim',
  'org.opencontainers.image.base.digest': digest('b', 0),
}

function child(i: number, seed: string): ResolvedChild {
  const [os = '', architecture = '', variant] = (PLATFORMS[i] as string).split('/')
  return {
    tagDigest: digest(`${seed}t`, i),
    manifest: { mediaType: MEDIA_TYPES.ociManifest, digest: digest(seed, i), size: 1_234, platform: { os, architecture, ...(variant ? { variant } : {}) } },
    // buildx's attestation manifest beside each image.
    attestations: [{ mediaType: MEDIA_TYPES.ociManifest, digest: digest(`${seed}a`, i), size: 839, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': digest(seed, i) } }],
    imageAnnotations: ANNOTATIONS,
  }
}

// `count` platforms, each resolved once, rebuilt (so a previous child is kept) and resolved again,
// then a pending re-push with the most blob hints kept; published with a long failure message.
async function buildWorstLedger(count: number): Promise<VersionState> {
  const platforms = PLATFORMS.slice(0, count)
  const hints = Array.from({ length: 16 }, (_, n) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('h', n), size: 123_456_789 }))
  let state = createVersionState('registry.example.com:5000/organisation/application', 'v1.2.3-rc.4+build.5678', platforms, NOW)
  for (const [i, platform] of platforms.entries()) {
    const source = `registry.example.com:5000/organisation/application-${platform.replaceAll('/', '')}:v1.2.3-rc.4+build.5678`
    for (const seed of ['1', '2']) {
      state = recordArrival(state, { platform, source, receivedAt: NOW, hintDigest: digest(`${seed}t`, i), hintBlobs: hints, eventAt: NOW }) ?? state
      state = applyResolution(state, platform, state.arrivals[platform]?.seq ?? 0, { kind: 'ready', child: child(i, seed) }, NOW) ?? state
    }
  }
  const children: IndexChild[] = platforms.map((_, i) => child(i, '2'))
  const index = await buildIndex(children, { mediaType: 'oci', annotations: ANNOTATIONS })
  const publication = { digest: index.digest, mediaType: index.mediaType, manifest: index.text, children: children.map((c) => c.manifest.digest), tags: ['v1.2.3-rc.4+build.5678', 'latest', 'v1', 'v1.2'], partial: false, at: NOW }
  state = markPublished(state, publication, 'registry.example.com:5000/organisation/application')
  state = markFailed(state, `registry registry.example.com:5000 answered 500: ${'e'.repeat(1_000)}`, NOW)
  for (const [i, platform] of platforms.entries()) state = recordArrival(state, { platform, source: state.arrivals[platform]?.source ?? '', receivedAt: NOW, hintDigest: digest('3t', i), hintBlobs: hints, eventAt: NOW }) ?? state
  return state
}

const size = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength

describe('the version ledger', () => {
  // Measured: 16 platforms 94,100 bytes (72 % of the bound), 4 platforms 25,939 (20 %): about
  // 4.9 KB per platform while a re-push is pending (its previous child with annotations, 16 hints).
  it('stays within the store bound with 16 platforms, long annotations and the most hints', async () => {
    const ledger = await buildWorstLedger(16)
    expect(Object.values(ledger.arrivals).filter((a) => a.hintBlobs?.length === 16 && a.previous)).toHaveLength(16)
    expect(size(ledger)).toBeLessThan(0.75 * MAX_VALUE_BYTES)
    expect(size(await buildWorstLedger(4))).toBeLessThan(0.25 * MAX_VALUE_BYTES)
  })

  it('keeps no blob hints beyond 16 (the resolve reads the manifest instead)', () => {
    const hintBlobs = Array.from({ length: 17 }, (_, n) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('h', n), size: 1 }))
    const state = recordArrival(createVersionState('app', 'v1', ['linux/amd64'], NOW), { platform: 'linux/amd64', source: 'app-amd64:v1', receivedAt: NOW, hintDigest: digest('t', 0), hintBlobs })
    expect(state?.arrivals['linux/amd64']?.hintBlobs).toBeUndefined()
    expect(state?.arrivals['linux/amd64']?.hintDigest).toBe(digest('t', 0))
  })
})
