// Cosign's tag-based signatures (`sha256-<hex>.sig`, `.att`, `.sbom` in the per-arch repository)
// are copied to the target with the child, like referrers (fake registry: no referrers API).
import { describe, expect, it } from 'vitest'
import { computeDigest } from '../../src/core/digest.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { copySignatureTags, formatSignatureTags } from '../../src/pipeline/copy-signature-tags.ts'
import type { FakeRegistry } from '../support/fake-registry.ts'
import { ADMIN_TOKEN, createScenario, HOST } from '../support/scenario.ts'

const encoder = new TextEncoder()
type S = ReturnType<typeof createScenario>

// The shape cosign writes: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
async function seedCosignTag(registry: FakeRegistry, repository: string, subject: string, suffix: 'sig' | 'att', seed: string): Promise<string> {
  const config = encoder.encode(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }))
  const payload = encoder.encode(JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject }, type: 'cosign container image signature' }, optional: { seed } }))
  const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: await computeDigest(payload), size: payload.length, annotations: { 'dev.cosignproject.cosign/signature': `sig-${seed}` } }
  const manifest = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: MEDIA_TYPES.ociConfig, digest: await computeDigest(config), size: config.length }, layers: [layer] }
  for (const bytes of [config, payload]) await registry.putBlob(repository, bytes)
  return registry.putManifest(repository, `${subject.replace(':', '-')}.${suffix}`, encoder.encode(JSON.stringify(manifest)), MEDIA_TYPES.ociManifest)
}

async function publishThreeArches(s: S): Promise<string[]> {
  const digests = []
  for (const [arch, platform] of [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const) {
    digests.push((await s.push(`demo/app-${arch}`, 'v3.0.0', platform)).manifest.descriptor.digest)
  }
  await s.test.idle()
  return digests
}

const reconcile = async (s: S) => {
  const response = await s.test.request('/reconcile', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  await s.test.idle()
  return response.json()
}

describe('cosign signature tags of each child (fake registry)', () => {
  it('names the three cosign tags of a subject', () => {
    expect(formatSignatureTags(`sha256:${'a'.repeat(64)}`)).toEqual(['sig', 'att', 'sbom'].map((suffix) => `sha256-${'a'.repeat(64)}.${suffix}`))
  })

  it('copies a present tag with its blobs under the same tag: exact requests, then one HEAD per suffix and found tag', async () => {
    const s = createScenario()
    const [, arm] = await publishThreeArches(s)
    const tag = `${arm!.replace(':', '-')}`
    const signature = await seedCosignTag(s.registry, 'demo/app-arm64', arm!, 'sig', 'one')
    const source = { registry: HOST, repository: 'demo/app-arm64' }
    const target = { registry: HOST, repository: 'demo/app' }
    const requests = () => s.registry.requests.map((r) => `${r.method} ${r.path.replace(/sha256:[0-9a-f]{64}/g, 'sha256:…')} ${r.status}`)

    s.registry.requests.length = 0
    expect(await copySignatureTags(s.test.deps, source, [target], arm!)).toBe(1)
    expect(requests().sort()).toEqual([
      `HEAD /v2/demo/app-arm64/manifests/${tag}.sig 200`,
      `HEAD /v2/demo/app-arm64/manifests/${tag}.att 404`,
      `HEAD /v2/demo/app-arm64/manifests/${tag}.sbom 404`,
      `HEAD /v2/demo/app/manifests/${tag}.sig 404`,
      'GET /v2/demo/app-arm64/manifests/sha256:… 200',
      'POST /v2/demo/app/blobs/uploads/ 201',
      'POST /v2/demo/app/blobs/uploads/ 201',
      `PUT /v2/demo/app/manifests/${tag}.sig 201`,
    ].sort())
    expect(await computeDigest(s.registry.getManifest('demo/app', `${tag}.sig`)!.bytes)).toBe(signature)

    s.registry.requests.length = 0
    expect(await copySignatureTags(s.test.deps, source, [target], arm!)).toBe(0)
    expect(requests().sort()).toEqual([`HEAD /v2/demo/app-arm64/manifests/${tag}.sig 200`, `HEAD /v2/demo/app-arm64/manifests/${tag}.att 404`, `HEAD /v2/demo/app-arm64/manifests/${tag}.sbom 404`, `HEAD /v2/demo/app/manifests/${tag}.sig 200`].sort())
  })

  it('the sweep copies .sig and .att of a child into the target, and a re-signed tag again', async () => {
    const s = createScenario()
    const [amd] = await publishThreeArches(s)
    const tag = amd!.replace(':', '-')
    const sig = await seedCosignTag(s.registry, 'demo/app-amd64', amd!, 'sig', 'first')
    const att = await seedCosignTag(s.registry, 'demo/app-amd64', amd!, 'att', 'first')
    expect((await reconcile(s)).referrersCopied).toBe(2)
    expect(await computeDigest(s.registry.getManifest('demo/app', `${tag}.sig`)!.bytes)).toBe(sig)
    expect(await computeDigest(s.registry.getManifest('demo/app', `${tag}.att`)!.bytes)).toBe(att)
    expect(s.registry.getManifest('demo/app', `${tag}.sbom`)).toBeUndefined()
    expect((await reconcile(s)).referrersCopied).toBe(0)
    // cosign rewrites the tag when a second signature is added.
    const resigned = await seedCosignTag(s.registry, 'demo/app-amd64', amd!, 'sig', 'second')
    expect((await reconcile(s)).referrersCopied).toBe(1)
    expect(await computeDigest(s.registry.getManifest('demo/app', `${tag}.sig`)!.bytes)).toBe(resigned)
  })
})
