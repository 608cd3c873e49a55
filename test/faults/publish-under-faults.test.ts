// Publishing through a faulty network: 20 % of our server's registry requests and 20 % of the
// registry's webhook deliveries get a 5xx, a 429 with Retry-After, a reset, a slow or a truncated
// response. Per-arch images are pushed with skopeo straight to the registry; retries, the registry's
// redelivery and the sweep (POST /reconcile) must still publish every version correctly (one whose
// webhooks are all lost too, found by the full sweep's tag listing), and no index the registry ever
// accepted may reference anything missing from its repository.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { silentLogger } from '../../src/log.ts'
import { startNodeServer, type NodeServer } from '../../src/runtime/node/node-server.ts'
import { startFaultProxy, type FaultProxy, type RequestMatcher } from '../support/fault-proxy.ts'
import { getFreePort } from '../support/free-port.ts'
import { findMissingReferences, isIndexDocument, readManifest } from '../support/registry-check.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'

const TOKEN = 'fault-token'
const ADMIN = { authorization: 'Bearer fault-admin' }
const FAULT_RATE = 0.2
const RECOVERY_LIMIT_MS = 90_000
const APP = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64', platform: 'linux/arm64' },
  { arch: 'armv7', platform: 'linux/arm/v7' },
] as const
const SUFFIX = APP.slice(0, 2)

interface Pushed {
  repository: string
  version: string
  children: string[]
}

describeWithTools(['docker-registry', 'skopeo'], 'publishing with 20 % faults between us and the registry', () => {
  let registry: RegistryServer
  let toRegistry: FaultProxy
  let toServer: FaultProxy
  let server: NodeServer
  let dataDir: string
  let host: string

  beforeAll(async () => {
    const port = await getFreePort()
    host = `127.0.0.1:${port}`
    dataDir = mkdtempSync(join(tmpdir(), 'mh-faults-'))
    toRegistry = await startFaultProxy({ target: `http://${host}`, faultRate: FAULT_RATE, seed: 20, captureManifests: true, slowMs: 300 })
    const config = parseConfig({
      // Image references name the registry itself; our server reaches it only through the proxy.
      registries: { [host]: { insecure: true, endpoint: toRegistry.url } },
      sources: { distribution: { token: TOKEN } },
      images: [
        { target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: APP.map((a) => a.platform) },
        { target: `${host}/demo/suffix`, from: `${host}/demo/suffix:{version}-{arch}`, platforms: SUFFIX.map((a) => a.platform) },
        { target: `${host}/demo/swept`, from: `${host}/demo/swept-{arch}:{version}`, platforms: SUFFIX.map((a) => a.platform) },
      ],
      server: { sweepIntervalSeconds: 0, adminToken: 'fault-admin' },
    })
    server = await startNodeServer({ config, dataPath: join(dataDir, 'state.db'), port: 0, log: silentLogger })
    toServer = await startFaultProxy({ target: server.url, faultRate: FAULT_RATE, seed: 21, slowMs: 300 })
    registry = await startRegistry({
      port,
      // OCI image manifests are never notified: pushing one loses every webhook of that version.
      notifications: [{ url: `${toServer.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${TOKEN}`] }, backoffMs: 300, timeoutMs: 2000, ignoreMediaTypes: [MEDIA_TYPES.ociManifest] }],
    })
  })
  afterAll(async () => {
    await registry?.stop()
    await toServer?.close()
    await server?.close()
    await toRegistry?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  async function pushVersion(repository: string, arches: readonly { arch: string; platform: string }[], version: string, tagOf: (arch: string) => string, format: 'docker' | 'oci' = 'docker'): Promise<Pushed> {
    const children = []
    for (const { arch, platform } of arches) {
      const pushed = await pushImage(`${host}/${tagOf(arch)}`, { platform, seed: `${repository}-${version}-${arch}`, format })
      children.push(pushed.manifestDigest)
    }
    return { repository, version, children }
  }

  // Up to 5 windows of 1.5 s; false as soon as one without deliveries has registry requests.
  async function findQuietWindow(): Promise<boolean> {
    for (let window = 0; window < 5; window++) {
      const requests = toRegistry.log.length
      const deliveries = toServer.log.length
      await new Promise((resolve) => setTimeout(resolve, 1500))
      await server.idle()
      if (toServer.log.length !== deliveries) continue
      return toRegistry.log.length === requests
    }
    return false
  }

  async function reconcile(): Promise<void> {
    const response = await fetch(`${server.url}/reconcile`, { method: 'POST', headers: ADMIN })
    expect(response.status, await response.text()).toBe(200)
  }

  async function publishedAll(expected: Pushed[]): Promise<boolean> {
    for (const { repository, version, children } of expected) {
      const served = await readManifest(registry.url, repository, version)
      if (!served || served.json.manifests?.map((m: any) => m.digest).join() !== children.join()) return false
    }
    return true
  }

  async function describeState(): Promise<string> {
    const status = await (await fetch(`${server.url}/status`, { headers: ADMIN })).text()
    const faults = toRegistry.log.filter((entry) => entry.fault).map((entry) => `${entry.fault} ${entry.method} ${entry.path}`)
    return `status ${status}\nfaults injected:\n${faults.join('\n')}`
  }

  it('publishes every version correctly, in both naming styles, and stops by itself', async () => {
    const expected = await Promise.all([
      (async () => [
        await pushVersion('demo/app', APP, 'v1.0.0', (arch) => `demo/app-${arch}:v1.0.0`),
        await pushVersion('demo/app', APP, 'v1.1.0', (arch) => `demo/app-${arch}:v1.1.0`),
      ])(),
      (async () => [
        await pushVersion('demo/suffix', SUFFIX, 'v2.0.0', (arch) => `demo/suffix:v2.0.0-${arch}`),
        await pushVersion('demo/suffix', SUFFIX, 'v2.1.0', (arch) => `demo/suffix:v2.1.0-${arch}`),
      ])(),
    ]).then((lists) => lists.flat())
    const started = Date.now()
    while (!(await publishedAll(expected))) {
      if (Date.now() - started > RECOVERY_LIMIT_MS) throw new Error(`not every version was published: ${await describeState()}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
      await reconcile()
    }
    // `latest` of each image names its highest version once the sweep has caught up.
    for (const [repository, version] of [['demo/app', 'v1.1.0'], ['demo/suffix', 'v2.1.0']] as const) {
      while ((await readManifest(registry.url, repository, 'latest'))?.digest !== (await readManifest(registry.url, repository, version))?.digest) {
        if (Date.now() - started > RECOVERY_LIMIT_MS) throw new Error(`latest of ${repository} did not move to ${version}: ${await describeState()}`)
        await reconcile()
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    await server.idle()

    // Faults really happened on both paths, of many kinds, and were recovered from.
    const injected = toRegistry.log.filter((entry) => entry.fault)
    expect(injected.length).toBeGreaterThanOrEqual(10)
    expect(new Set(injected.map((entry) => entry.fault)).size).toBeGreaterThanOrEqual(5)
    expect(toServer.log.filter((entry) => entry.fault).length).toBeGreaterThanOrEqual(1)

    // Every index the registry accepted from us only references what its repository holds.
    const accepted = toRegistry.log.filter((entry) => entry.method === 'PUT' && entry.status === 201 && entry.body && isIndexDocument(JSON.parse(entry.body)))
    expect(accepted.length).toBeGreaterThanOrEqual(expected.length + 2)
    for (const entry of accepted) {
      const repository = /^\/v2\/(.+)\/manifests\//.exec(entry.path)?.[1] as string
      expect(await findMissingReferences(registry.url, repository, JSON.parse(entry.body as string)), entry.path).toEqual([])
    }

    // Once done, the server goes quiet: no retry loop keeps running. The registry may still redeliver
    // a notification that a fault cut off (its own retry with backoff), and a redelivery rightly
    // costs a check of the moving tags; so the server must make no request in a window without one.
    expect(await findQuietWindow(), 'a 1.5 s window without registry requests').toBe(true)
  }, RECOVERY_LIMIT_MS + 60_000)

  it('gives up on a request after its retries and leaves the arch to the sweep, which finishes the publish', async () => {
    toRegistry.setFaultRate(0)
    toServer.setFaultRate(0)
    // More 503s in a row than the client's attempts (4): the arrival fails and stays pending.
    const armManifest: RequestMatcher = (r) => r.method === 'GET' && r.path.startsWith('/v2/demo/swept-arm64/manifests/')
    for (let i = 0; i < 4; i++) toRegistry.injectNext(armManifest, '503')
    const pushed = await pushVersion('demo/swept', SUFFIX, 'v1.0.0', (arch) => `demo/swept-${arch}:v1.0.0`)
    const status = async () => JSON.parse((await (await fetch(`${server.url}/status`, { headers: ADMIN })).text()))
      .images.find((i: any) => i.image.endsWith('/demo/swept')).versions[0]
    const deadline = Date.now() + 20_000
    while (!(await status())?.lastError) {
      expect(Date.now(), 'the failure was reported').toBeLessThan(deadline)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await server.idle()
    expect(await status()).toMatchObject({ state: 'waiting', pending: ['linux/arm64'] })
    const refused = toRegistry.log.filter((r) => armManifest(r) && r.fault === '503').length
    expect(refused).toBe(4)
    await reconcile()
    await server.idle()
    expect((await readManifest(registry.url, 'demo/swept', 'v1.0.0'))?.json.manifests.map((m: any) => m.digest)).toEqual(pushed.children)
  }, 60_000)

  it('publishes a version whose webhooks were all lost, found by listing tags through the faults', async () => {
    toRegistry.setFaultRate(FAULT_RATE)
    const lost = await pushVersion('demo/swept', SUFFIX, 'v3.0.0', (arch) => `demo/swept-${arch}:v3.0.0`, 'oci')
    const started = Date.now()
    while (!(await publishedAll([lost]))) {
      if (Date.now() - started > RECOVERY_LIMIT_MS) throw new Error(`the unannounced version was not published: ${await describeState()}`)
      await reconcile()
      await server.idle()
    }
    const listings = toRegistry.log.filter((entry) => entry.path.startsWith('/v2/demo/swept-arm64/tags/list'))
    expect(listings.length).toBeGreaterThanOrEqual(1)
    const index = await readManifest(registry.url, 'demo/swept', 'v3.0.0')
    expect(await findMissingReferences(registry.url, 'demo/swept', index?.json)).toEqual([])
  }, RECOVERY_LIMIT_MS + 30_000)
})
