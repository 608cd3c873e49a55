import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { buildIndex, type IndexChild } from '../../src/core/index-manifest.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`

function child(arch: string, n: number, mediaType: string = MEDIA_TYPES.dockerManifest, variant?: string): IndexChild {
  return {
    manifest: { mediaType, digest: d(n), size: 400 + n, platform: { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) } },
    attestations: [],
  }
}

describe('buildIndex', () => {
  it('builds a Docker manifest list when every child is a Docker manifest', async () => {
    const index = await buildIndex([child('amd64', 1), child('arm64', 2), child('arm', 3, MEDIA_TYPES.dockerManifest, 'v7')], { mediaType: 'auto' })
    expect(index.mediaType).toBe(MEDIA_TYPES.dockerList)
    const json = JSON.parse(index.text)
    expect(json).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerList,
      manifests: [
        { mediaType: MEDIA_TYPES.dockerManifest, digest: d(1), size: 401, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: MEDIA_TYPES.dockerManifest, digest: d(2), size: 402, platform: { architecture: 'arm64', os: 'linux' } },
        { mediaType: MEDIA_TYPES.dockerManifest, digest: d(3), size: 403, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
      ],
    })
    expect(index.digest).toBe(await computeDigest(index.bytes))
  })

  it('builds an OCI index when any child is OCI, attestations last with unknown/unknown', async () => {
    const attested: IndexChild = {
      ...child('arm64', 2, MEDIA_TYPES.ociManifest),
      attestations: [{ mediaType: MEDIA_TYPES.ociManifest, digest: d(9), size: 99, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d(2) } }],
    }
    const index = await buildIndex([child('amd64', 1), attested], { mediaType: 'auto', annotations: { z: '1', a: '2' } })
    expect(index.mediaType).toBe(MEDIA_TYPES.ociIndex)
    const json = JSON.parse(index.text)
    expect(json.manifests.map((m: { digest: string }) => m.digest)).toEqual([d(1), d(2), d(9)])
    expect(json.manifests[2].platform).toEqual({ architecture: 'unknown', os: 'unknown' })
    expect(Object.keys(json.manifests[2].annotations)).toEqual(['vnd.docker.reference.digest', 'vnd.docker.reference.type'])
    expect(Object.keys(json.annotations)).toEqual(['a', 'z'])
  })

  it('honours an explicit media type and drops annotations on a Docker list', async () => {
    const oci = await buildIndex([child('amd64', 1)], { mediaType: 'oci' })
    expect(oci.mediaType).toBe(MEDIA_TYPES.ociIndex)
    const docker = await buildIndex([child('amd64', 1, MEDIA_TYPES.ociManifest)], { mediaType: 'docker', annotations: { a: 'b' } })
    expect(docker.mediaType).toBe(MEDIA_TYPES.dockerList)
    expect(JSON.parse(docker.text).annotations).toBeUndefined()
  })

  it('carries Windows os.version and os.features', async () => {
    const windows: IndexChild = {
      manifest: { mediaType: MEDIA_TYPES.dockerManifest, digest: d(5), size: 5, platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2227', osFeatures: ['win32k'] } },
      attestations: [],
    }
    const json = JSON.parse((await buildIndex([windows], { mediaType: 'auto' })).text)
    expect(json.manifests[0].platform).toEqual({ architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2227', 'os.features': ['win32k'] })
  })

  it('gives byte-identical output for identical input, whatever the object key order', async () => {
    const a = await buildIndex([child('amd64', 1), child('arm64', 2)], { mediaType: 'auto', annotations: { b: '1', a: '2' } })
    const reordered: IndexChild[] = [child('amd64', 1), child('arm64', 2)].map((c) => ({
      attestations: [],
      manifest: { platform: c.manifest.platform, size: c.manifest.size, digest: c.manifest.digest, mediaType: c.manifest.mediaType },
    }))
    const b = await buildIndex(reordered, { mediaType: 'auto', annotations: { a: '2', b: '1' } })
    expect(b.text).toBe(a.text)
    expect(b.digest).toBe(a.digest)
  })
})
