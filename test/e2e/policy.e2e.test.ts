// Publishing policy against the real registry: floating tags, a rebuilt arch, a lost webhook
// recovered by POST /reconcile, referrers copied to the target, and a deadline's partial publish.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { startE2EStack, WEBHOOK_TOKEN, type E2EStack } from '../support/e2e-stack.ts'
import { pushReferrer } from '../support/raw-push.ts'
import { pushImage, skopeoInspect, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'

describeWithTools(['docker-registry', 'skopeo'], 'e2e: tag policy, rebuilds, reconciliation, referrers, deadlines', () => {
  let stack: E2EStack
  const app = () => `${stack.host}/demo/app`
  const suffix = () => `${stack.host}/demo/suffix`
  const digestOf = async (ref: string) => (await skopeoInspectRaw(ref)).digest
  const reconcile = async () => (await fetch(`${stack.server.url}/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } })).json()

  beforeAll(async () => {
    stack = await startE2EStack({
      config: (host) => ({
        registries: { [host]: { insecure: true } },
        sources: { distribution: { token: WEBHOOK_TOKEN } },
        images: [
          { target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'], tags: { floating: ['{major}', '{major}.{minor}'] } },
          { target: `${host}/demo/suffix`, from: `${host}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'], deadline: { seconds: 2, action: 'publish-partial' } },
        ],
        server: { sweepIntervalSeconds: 0, adminToken: WEBHOOK_TOKEN },
      }),
      // The registry never notifies OCI image manifests here: pushing one in OCI format is our "lost webhook".
      notification: { ignoreMediaTypes: [MEDIA_TYPES.ociManifest] },
    })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  async function publishApp(version: string, seed = version) {
    const amd = await pushImage(`${app()}-amd64:${version}`, { platform: 'linux/amd64', seed: `${seed}-amd` })
    const arm = await pushImage(`${app()}-arm64:${version}`, { platform: 'linux/arm64', seed: `${seed}-arm` })
    const status = await stack.waitForVersion(app(), version, (v) => v.state === 'published' && v.arrived[`${app()}-amd64:${version}`] === amd.tagDigest)
    return { amd, arm, status }
  }

  it('moves floating tags only within their line', async () => {
    await publishApp('1.2.0')
    await publishApp('1.3.0')
    await publishApp('1.2.5')
    expect(await digestOf(`${app()}:1`)).toBe(await digestOf(`${app()}:1.3.0`))
    expect(await digestOf(`${app()}:1.3`)).toBe(await digestOf(`${app()}:1.3.0`))
    expect(await digestOf(`${app()}:1.2`)).toBe(await digestOf(`${app()}:1.2.5`))
    expect(await digestOf(`${app()}:latest`)).toBe(await digestOf(`${app()}:1.3.0`))
  }, 90_000)

  it('republishes a rebuilt arch with that entry replaced, and moves the tags that named it', async () => {
    const before = await digestOf(`${app()}:1.3.0`)
    const { amd, status } = await publishApp('1.3.0', 'rebuild')
    expect(status.published.digest).not.toBe(before)
    const index = await skopeoInspectRaw(`${app()}:1.3.0`)
    expect(index.json.manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    expect(index.json.manifests[0].digest).toBe(amd.manifestDigest)
    expect(await digestOf(`${app()}:latest`)).toBe(index.digest)
    expect(await digestOf(`${app()}:1`)).toBe(index.digest)
    expect(await skopeoInspect(`${app()}:latest`, { arch: 'amd64' })).toMatchObject({ configDigest: amd.configDigest })
  }, 90_000)

  it('recovers a lost webhook with POST /reconcile', async () => {
    await pushImage(`${app()}-amd64:1.4.0`, { platform: 'linux/amd64', seed: 'lost-amd' })
    const lost = await pushImage(`${app()}-arm64:1.4.0`, { platform: 'linux/arm64', seed: 'lost-arm', format: 'oci' })
    const waiting = await stack.waitForVersion(app(), '1.4.0', (v) => v.state === 'waiting')
    expect(waiting.missing).toEqual(['linux/arm64'])
    await reconcile()
    await stack.waitForVersion(app(), '1.4.0', (v) => v.state === 'published')
    const index = await skopeoInspectRaw(`${app()}:1.4.0`)
    expect(index.json.manifests.map((m: any) => m.digest)).toContain(lost.manifestDigest)
    expect(await digestOf(`${app()}:latest`)).toBe(index.digest)
  }, 90_000)

  it('copies referrers (signatures) of each child into the target repository', async () => {
    const index = await skopeoInspectRaw(`${app()}:1.2.0`)
    const arm = index.json.manifests.find((m: any) => m.platform.architecture === 'arm64')
    const signature = await pushReferrer(stack.registry.url, 'demo/app-arm64', { digest: arm.digest, mediaType: arm.mediaType, size: arm.size }, 'signed by the e2e test')
    const report = await reconcile()
    expect(report.referrersCopied).toBeGreaterThanOrEqual(1)
    const copied = await skopeoInspectRaw(`${app()}@${signature}`)
    expect(copied.json.subject.digest).toBe(arm.digest)
    const referrersTag = await skopeoInspectRaw(`${app()}:${arm.digest.replace(':', '-')}`)
    expect(referrersTag.json.manifests.map((m: any) => m.digest)).toEqual([signature])
  }, 90_000)

  it('publishes the arches present when the deadline passes, then the full index when the rest arrives', async () => {
    const amd = await pushImage(`${suffix()}:v5.0.0-amd64`, { platform: 'linux/amd64', seed: 'deadline-amd' })
    await stack.waitForVersion(suffix(), 'v5.0.0', (v) => v.state === 'waiting')
    await new Promise((resolve) => setTimeout(resolve, 2_200))
    await reconcile()
    const partial = await stack.waitForVersion(suffix(), 'v5.0.0', (v) => v.state === 'partial')
    expect(partial.missing).toEqual(['linux/arm64'])
    expect((await skopeoInspectRaw(`${suffix()}:v5.0.0`)).json.manifests.map((m: any) => m.digest)).toEqual([amd.manifestDigest])
    await expect(skopeoInspectRaw(`${suffix()}:latest`)).rejects.toThrow()
    const arm = await pushImage(`${suffix()}:v5.0.0-arm64`, { platform: 'linux/arm64', seed: 'deadline-arm' })
    await stack.waitForVersion(suffix(), 'v5.0.0', (v) => v.state === 'published')
    const full = await skopeoInspectRaw(`${suffix()}:v5.0.0`)
    expect(full.json.manifests.map((m: any) => m.digest)).toEqual([amd.manifestDigest, arm.manifestDigest])
    expect(await digestOf(`${suffix()}:latest`)).toBe(full.digest)
  }, 90_000)
})
