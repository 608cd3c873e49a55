// The core scenario with no process state between calls, as on Lambda or Workers: every webhook
// delivery and every work item is one call on freshly built dependencies (config, catalog, registry
// client with its own connections and token cache); only the store lives on. Work items travel as
// JSON. A call must leave nothing running: the call tracker fails the test if anything a call
// started settles after it returned.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LinearRouter } from 'hono/router/linear-router'
import { Agent } from 'undici'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { parseConfig } from '../../src/config.ts'
import { buildCatalog } from '../../src/core/catalog.ts'
import type { Deps } from '../../src/deps.ts'
import { silentLogger } from '../../src/log.ts'
import { runWorkItem } from '../../src/pipeline/run-work-item.ts'
import { runScheduledSweep } from '../../src/pipeline/scheduled-sweep.ts'
import { buildStatus, parseStatusQuery } from '../../src/pipeline/status.ts'
import { parseWorkItem } from '../../src/pipeline/work-item.ts'
import { createRegistryClient } from '../../src/registry/http-client.ts'
import { createUndiciFetch } from '../../src/runtime/node/undici-fetch.ts'
import { createSqliteStore } from '../../src/state/sqlite-store.ts'
import type { StateStore } from '../../src/state/store.ts'
import { createCallTracker, type CallTracker } from '../support/call-tracker.ts'
import { exampleConfig, WEBHOOK_TOKEN } from '../support/e2e-stack.ts'
import { getFreePort } from '../support/free-port.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { copyImage, pushImage, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'

describeWithTools(['docker-registry', 'skopeo'], 'e2e: every delivery and work item on fresh dependencies', () => {
  let registry: RegistryServer
  let receiver: Server
  let store: StateStore
  let tracker: CallTracker
  let host: string
  let dataDir: string
  // The work items waiting, as JSON (what an async invocation's payload would be).
  const pool: string[] = []
  const suffix = () => `${host}/demo/suffix`
  const app = () => `${host}/demo/app`

  // One call: dependencies built for it alone, closed before it returns.
  const call = <T>(name: string, work: (deps: Deps) => Promise<T>) =>
    tracker.run(name, async () => {
      const config = parseConfig(exampleConfig(host, { server: { sweepIntervalSeconds: 0, adminToken: WEBHOOK_TOKEN } }))
      const agent = new Agent({ keepAliveTimeout: 1_000 })
      const deps: Deps = {
        config,
        catalog: buildCatalog(config.images),
        store,
        registry: createRegistryClient({ fetch: createUndiciFetch(agent), registries: config.registries, log: silentLogger }),
        log: silentLogger,
        now: () => new Date(),
        work: { enqueue: async (item) => void pool.push(JSON.stringify(item)) },
        budget: { deadline: Date.now() + 20_000, requests: 200 },
      }
      try {
        return await work(deps)
      } finally {
        await agent.close()
      }
    })

  // The registry's notifications arrive here; each is one call through the app (the response is read inside the call).
  const startReceiver = () =>
    new Promise<number>((resolve) => {
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method ?? 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) })
          void call('delivery', async (deps) => {
            const response = await createApp(deps, () => new LinearRouter()).fetch(request)
            return { status: response.status, text: await response.text() }
          }).then(({ status, text }) => res.writeHead(status, { 'content-type': 'application/json' }).end(text))
        })
      })
      receiver.listen(0, '127.0.0.1', () => resolve((receiver.address() as { port: number }).port))
    })

  const status = async (image: string, version: string): Promise<any> => {
    const found = await call('status', (deps) => buildStatus(deps, parseStatusQuery({ image, version })))
    return (found.images[0] as { versions: any[] } | undefined)?.versions[0]
  }
  // Runs waiting items one call each (in arrival order; the property test shuffles) until `done` holds.
  const settle = async (done: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (let json = pool.shift(); json !== undefined; json = pool.shift()) {
        const item = parseWorkItem(JSON.parse(json))
        await call(`item ${item.kind}`, (deps) => runWorkItem(deps, item))
      }
      if (await done()) return
      if (Date.now() > deadline) throw new Error('timed out waiting for the scenario to settle')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const stateIs = (image: string, version: string, state: string) => async () => (await status(image, version))?.state === state

  beforeAll(async () => {
    tracker = createCallTracker()
    dataDir = mkdtempSync(join(tmpdir(), 'mh-stateless-'))
    store = createSqliteStore(join(dataDir, 'state.db'))
    const port = await getFreePort()
    host = `127.0.0.1:${port}`
    const receiverPort = await startReceiver()
    // OCI image manifests are not notified: pushing one is the lost webhook.
    registry = await startRegistry({ port, notifications: [{ url: `http://127.0.0.1:${receiverPort}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK_TOKEN}`] }, ignoreMediaTypes: [MEDIA_TYPES.ociManifest] }] })
  }, 30_000)
  afterAll(async () => {
    tracker?.stop()
    await registry?.stop()
    await new Promise((resolve) => receiver?.close(resolve))
    await store?.close?.()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('publishes the core scenario with nothing kept between calls but the store', async () => {
    // Separate repositories.
    const arches = [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const
    const appPushed = []
    for (const [arch, platform] of arches) appPushed.push(await pushImage(`${app()}-${arch}:v1.0.0`, { platform, seed: `stateless-app-${arch}` }))
    await settle(stateIs(app(), 'v1.0.0', 'published'))
    expect((await skopeoInspectRaw(`${app()}:latest`)).json.manifests.map((m: any) => m.digest)).toEqual(appPushed.map((p) => p.manifestDigest))

    // Suffix tags, each per-arch push a buildx-style index with its attestation.
    const suffixVersion = async (version: string, seed: string, options: { attestation?: boolean } = {}) => {
      const amd = await pushImage(`${suffix()}:${version}-amd64`, { platform: 'linux/amd64', seed: `${seed}-amd`, ...options })
      const arm = await pushImage(`${suffix()}:${version}-arm64`, { platform: 'linux/arm64', seed: `${seed}-arm`, ...options })
      return [amd.manifestDigest, arm.manifestDigest]
    }
    const v110 = await suffixVersion('v1.1.0', 'v110', { attestation: true })
    await settle(stateIs(suffix(), 'v1.1.0', 'published'))
    const index = (await skopeoInspectRaw(`${suffix()}:v1.1.0`)).json
    expect(index.manifests.filter((m: any) => m.platform.os !== 'unknown').map((m: any) => m.digest)).toEqual(v110)
    expect(index.manifests.filter((m: any) => m.platform.os === 'unknown')).toHaveLength(2)
    const latest = async () => (await skopeoInspectRaw(`${suffix()}:latest`)).digest
    expect(await latest()).toBe((await skopeoInspectRaw(`${suffix()}:v1.1.0`)).digest)

    // An older version after a newer one, and a pre-release: both published, latest stays.
    await suffixVersion('v1.0.0', 'v100')
    await suffixVersion('v1.2.0-rc.1', 'rc')
    await settle(async () => (await stateIs(suffix(), 'v1.0.0', 'published')()) && stateIs(suffix(), 'v1.2.0-rc.1', 'published')())
    expect(await latest()).toBe((await skopeoInspectRaw(`${suffix()}:v1.1.0`)).digest)

    // A mislabeled arch: refused, nothing published.
    await pushImage(`${suffix()}:v2.0.0-amd64`, { platform: 'linux/amd64', seed: 'v2-amd' })
    await pushImage(`${suffix()}:v2.0.0-arm64`, { platform: 'linux/amd64', seed: 'v2-really-amd' })
    await settle(stateIs(suffix(), 'v2.0.0', 'refused'))
    await expect(skopeoInspectRaw(`${suffix()}:v2.0.0`)).rejects.toThrow()

    // A rebuilt arch: the version's index and latest follow it.
    const rebuilt = await pushImage(`${suffix()}:v1.1.0-amd64`, { platform: 'linux/amd64', seed: 'v110-amd-rebuilt' })
    await settle(async () => (await skopeoInspectRaw(`${suffix()}:v1.1.0`)).json.manifests[0].digest === rebuilt.manifestDigest)
    expect(await latest()).toBe((await skopeoInspectRaw(`${suffix()}:v1.1.0`)).digest)

    // A lost webhook, found by the scheduled sweep (fanned out as work items).
    await pushImage(`${suffix()}:v1.3.0-amd64`, { platform: 'linux/amd64', seed: 'v130-amd' })
    await copyImage(`${suffix()}:v1.3.0-arm64`, { platform: 'linux/arm64', seed: 'v130-arm', format: 'oci' })
    await settle(stateIs(suffix(), 'v1.3.0', 'waiting'))
    await call('scheduled sweep', (deps) => runScheduledSweep(deps))
    await settle(stateIs(suffix(), 'v1.3.0', 'published'))
    expect(await latest()).toBe((await skopeoInspectRaw(`${suffix()}:v1.3.0`)).digest)

    // Nothing outlived its call.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(tracker.late).toEqual([])
    expect(tracker.calls).toBeGreaterThan(30)
  }, 180_000)
})
