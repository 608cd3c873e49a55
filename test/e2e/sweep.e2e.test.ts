// Light and full sweeps against the real registry, counting our requests at a proxy in between:
// a light sweep asks nothing once everything is published, finds a lost arch webhook with one HEAD,
// and a full one puts back a tag someone overwrote and finds a version whose webhooks were all lost.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { sweep } from '../../src/pipeline/sweep.ts'
import { startE2EStack, type E2EStack } from '../support/e2e-stack.ts'
import { copyImage, pushImage, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'

describeWithTools(['docker-registry', 'skopeo'], 'e2e: light and full sweeps', () => {
  let stack: E2EStack
  const suffix = () => `${stack.host}/demo/suffix`
  const requestsDuring = async (work: () => Promise<unknown>) => {
    const log = stack.proxy!.log
    const before = log.length
    await work()
    await stack.server.idle()
    return log.slice(before).map((r) => `${r.method} ${r.path}`)
  }

  beforeAll(async () => {
    // OCI image manifests are not notified: pushing one is our "lost webhook".
    stack = await startE2EStack({ proxy: true, notification: { ignoreMediaTypes: [MEDIA_TYPES.ociManifest] } })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('asks the registry nothing in a light sweep once a version and latest are published; a full one HEADs them', async () => {
    await pushImage(`${suffix()}:v1.0.0-amd64`, { platform: 'linux/amd64', seed: 'sweep-amd' })
    await pushImage(`${suffix()}:v1.0.0-arm64`, { platform: 'linux/arm64', seed: 'sweep-arm' })
    await stack.waitForVersion(suffix(), 'v1.0.0', (v) => v.state === 'published')
    await stack.server.idle()
    expect(await requestsDuring(() => sweep(stack.server.deps, { full: false }))).toEqual([])
    const full = await requestsDuring(() => sweep(stack.server.deps))
    expect(full.filter((r) => r.startsWith('HEAD ')).sort()).toEqual(
      ['v1.0.0-amd64', 'v1.0.0-arm64', 'v1.0.0', 'latest'].map((tag) => `HEAD /v2/demo/suffix/manifests/${tag}`).sort(),
    )
  }, 60_000)

  it('finds a lost arch webhook in a light sweep with one HEAD, and publishes', async () => {
    await pushImage(`${suffix()}:v1.1.0-amd64`, { platform: 'linux/amd64', seed: 'lost-amd' })
    await copyImage(`${suffix()}:v1.1.0-arm64`, { platform: 'linux/arm64', seed: 'lost-arm', format: 'oci' })
    await stack.waitForVersion(suffix(), 'v1.1.0', (v) => v.state === 'waiting')
    await stack.server.idle()
    const requests = await requestsDuring(() => sweep(stack.server.deps, { full: false }))
    expect(requests.filter((r) => r.startsWith('HEAD '))).toEqual(['HEAD /v2/demo/suffix/manifests/v1.1.0-arm64'])
    const index = await skopeoInspectRaw(`${suffix()}:v1.1.0`)
    expect(index.json.manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
  }, 60_000)

  it('leaves a latest someone overwrote to the full sweep, which puts it back', async () => {
    const published = (await skopeoInspectRaw(`${suffix()}:latest`)).digest
    await pushImage(`${suffix()}:latest`, { platform: 'linux/amd64', seed: 'overwrite' })
    expect(await requestsDuring(() => sweep(stack.server.deps, { full: false }))).toEqual([])
    expect((await skopeoInspectRaw(`${suffix()}:latest`)).digest).not.toBe(published)
    await sweep(stack.server.deps)
    await stack.server.idle()
    expect((await skopeoInspectRaw(`${suffix()}:latest`)).digest).toBe(published)
  }, 60_000)

  it('publishes a version whose webhooks were all lost: a full sweep finds it by listing tags', async () => {
    await copyImage(`${suffix()}:v2.0.0-amd64`, { platform: 'linux/amd64', seed: 'unannounced-amd', format: 'oci' })
    await copyImage(`${suffix()}:v2.0.0-arm64`, { platform: 'linux/arm64', seed: 'unannounced-arm', format: 'oci' })
    const report = await sweep(stack.server.deps)
    await stack.server.idle()
    expect(report).toMatchObject({ full: true, versionsDiscovered: 1, failures: 0 })
    const index = await skopeoInspectRaw(`${suffix()}:v2.0.0`)
    expect(index.json.manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    expect((await skopeoInspectRaw(`${suffix()}:latest`)).digest).toBe(index.digest)
  }, 60_000)
})
