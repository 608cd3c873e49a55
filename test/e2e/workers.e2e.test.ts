// End to end on Cloudflare's runtime: `npm run dev:workers` (the Worker and its Durable Objects in
// workerd on 127.0.0.1) receives the real distribution registry's notifications, publishes the
// index on that registry, and the Cron Trigger's sweep (fired through /__scheduled) finds an arch
// whose webhook was lost.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { exampleConfig, WEBHOOK_TOKEN } from '../support/e2e-stack.ts'
import { getFreePort } from '../support/free-port.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { copyImage, pushImage, skopeoInspect, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts'

const APP_ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64', platform: 'linux/arm64' },
  { arch: 'armv7', platform: 'linux/arm/v7' },
] as const

describeWithTools(['docker-registry', 'skopeo'], 'e2e: the Worker in workerd (wrangler dev)', () => {
  let host: string
  let worker: WranglerDev
  let registry: RegistryServer
  const status = async () => (await fetch(`${worker.url}/status`, { headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } })).json()
  const waitForVersion = async (image: string, version: string, state: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs
    let last: any
    while (Date.now() < deadline) {
      last = (await status()).images?.find((i: any) => i.image === image)?.versions.find((v: any) => v.version === version)
      if (last?.state === state) return last
      await new Promise((done) => setTimeout(done, 200))
    }
    throw new Error(`timed out waiting for ${image}:${version} to be ${state}; last: ${JSON.stringify(last)}\n${worker.logs().slice(-4_000)}`)
  }

  beforeAll(async () => {
    const port = await getFreePort()
    host = `127.0.0.1:${port}`
    // No follow-up sweep from the objects' alarms: only the Cron Trigger may find the lost webhook.
    worker = await startWranglerDev(exampleConfig(host, { server: { sweepIntervalSeconds: 0, adminToken: WEBHOOK_TOKEN } }), { MANIFEST_HOOK_SUBREQUESTS: '1000' })
    // OCI image manifests are not notified: pushing one is the "lost webhook".
    registry = await startRegistry({
      port,
      notifications: [{ url: `${worker.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK_TOKEN}`] }, ignoreMediaTypes: [MEDIA_TYPES.ociManifest] }],
    })
  }, 90_000)
  afterAll(async () => {
    await registry?.stop()
    await worker?.stop()
  })

  it('publishes v1.0.2 and latest from separate per-arch repositories', async () => {
    const app = `${host}/demo/app`
    const pushed = []
    for (const { arch, platform } of APP_ARCHES) pushed.push(await pushImage(`${app}-${arch}:v1.0.2`, { platform, seed: `workers-${arch}` }))
    const published = await waitForVersion(app, 'v1.0.2', 'published')
    expect(published.published.mediaType).toBe(MEDIA_TYPES.dockerList)
    for (const tag of ['v1.0.2', 'latest']) {
      const raw = await skopeoInspectRaw(`${app}:${tag}`)
      expect(raw.digest).toBe(published.published.digest)
      expect(raw.json.manifests.map((m: any) => m.digest)).toEqual(pushed.map((p) => p.manifestDigest))
      expect(raw.json.manifests.map((m: any) => m.platform)).toEqual([
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
      ])
    }
    const arm = await skopeoInspect(`${app}:v1.0.2`, { arch: 'arm64' })
    expect(arm.configDigest).toBe(pushed[1]!.configDigest)
  }, 90_000)

  it('recovers a lost arch webhook with the Cron Trigger sweep', async () => {
    const suffix = `${host}/demo/suffix`
    await pushImage(`${suffix}:v1.1.0-amd64`, { platform: 'linux/amd64', seed: 'workers-lost-amd' })
    await copyImage(`${suffix}:v1.1.0-arm64`, { platform: 'linux/arm64', seed: 'workers-lost-arm', format: 'oci' })
    await waitForVersion(suffix, 'v1.1.0', 'waiting')
    // Nothing else would publish it: no webhook for arm64, no alarm follow-up.
    await new Promise((done) => setTimeout(done, 1_000))
    expect((await waitForVersion(suffix, 'v1.1.0', 'waiting')).state).toBe('waiting')
    await worker.scheduled()
    const published = await waitForVersion(suffix, 'v1.1.0', 'published')
    const index = await skopeoInspectRaw(`${suffix}:v1.1.0`)
    expect(index.digest).toBe(published.published.digest)
    expect(index.json.manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    expect((await skopeoInspectRaw(`${suffix}:latest`)).digest).toBe(index.digest)
  }, 90_000)
})
