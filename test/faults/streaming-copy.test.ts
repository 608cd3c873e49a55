// Copying a large layer into the target repository when the registry declines the cross-repo
// mount (the proxy turns the mount POST into a plain upload start, 202 + session, as Harbor and
// ECR do): our server process must stream GET -> PUT, keeping its memory bounded by far less than
// the blob. (The 100 MB RSS target and throughput against curl, with a 200 MB blob, are rows of
// `npm run bench`.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createBigBlob, pushImageWithBlob } from '../support/big-blob.ts'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts'
import { getFreePort } from '../support/free-port.ts'
import { buildNodeBundle, killAllNodeProcesses, startNodeProcess, type NodeProcess } from '../support/node-process.ts'
import { formatMiB, readRssBytes, startRssSampler } from '../support/process-rss.ts'
import { readManifest } from '../support/registry-check.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { describeWithTools } from '../support/tools.ts'

const TOKEN = 'copy-token'
const BLOB_BYTES = 128 * 1024 * 1024

describeWithTools(['docker-registry'], 'streaming copy of a large blob when the mount is declined', () => {
  let registry: RegistryServer
  let proxy: FaultProxy
  let server: NodeProcess
  let bundle: Awaited<ReturnType<typeof buildNodeBundle>>
  let dir: string

  beforeAll(async () => {
    bundle = await buildNodeBundle()
    const port = await getFreePort()
    const host = `127.0.0.1:${port}`
    dir = mkdtempSync(join(tmpdir(), 'mh-copy-'))
    proxy = await startFaultProxy({ target: `http://${host}`, refuseMounts: true })
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      registries: { [host]: { insecure: true, endpoint: proxy.url } },
      sources: { distribution: { token: TOKEN } },
      images: [{ target: `${host}/demo/big`, from: `${host}/demo/big-{arch}:{version}`, platforms: ['linux/amd64'] }],
      server: { sweepIntervalSeconds: 0 },
    }))
    const serverPort = await getFreePort()
    server = await startNodeProcess({ bundle: bundle.path, configPath: join(dir, 'config.json'), dataPath: join(dir, 'state.db'), port: serverPort })
    registry = await startRegistry({ port, notifications: [{ url: `${server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${TOKEN}`] } }] })
  }, 60_000)
  afterAll(async () => {
    await registry?.stop()
    await server?.kill('SIGTERM')
    killAllNodeProcesses()
    await proxy?.close()
    bundle?.remove()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('streams a 128 MB layer GET -> PUT through the fallback without holding it in memory', async () => {
    const layer = createBigBlob(BLOB_BYTES, 'streaming-copy-test')
    const baseline = readRssBytes(server.pid) as number
    const rss = startRssSampler(server.pid, 10)
    const child = await pushImageWithBlob(registry.url, 'demo/big-amd64', 'v1.0.0', layer)
    const deadline = Date.now() + 60_000
    while ((await readManifest(registry.url, 'demo/big', 'v1.0.0')) === undefined) {
      expect(Date.now(), 'published within 60 s').toBeLessThan(deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const { peakBytes } = rss.stop()

    expect((await readManifest(registry.url, 'demo/big', 'v1.0.0'))?.json.manifests.map((m: any) => m.digest)).toEqual([child])
    const head = await fetch(`${registry.url}/v2/demo/big/blobs/${layer.digest}`, { method: 'HEAD' })
    expect([head.status, Number(head.headers.get('content-length'))]).toEqual([200, BLOB_BYTES])
    // The mount was declined (202), so the layer went GET -> PUT through the proxy.
    const digest = encodeURIComponent(layer.digest)
    expect(proxy.log.filter((r) => r.method === 'POST' && r.path.includes(`mount=${digest}`)).map((r) => r.status)).toEqual([202])
    const [get] = proxy.log.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${layer.digest}`))
    const [put] = proxy.log.filter((r) => r.method === 'PUT' && r.path.includes(`digest=${digest}`))
    expect([get?.status, put?.status]).toEqual([200, 201])
    // Streamed, not buffered: the upload's first bytes arrived before the download had finished.
    expect(put?.bodyStartedAt).toBeLessThan(get?.finishedAt as number)
    // The blob never sits in memory: the server grew by less than the blob (the rest of the growth
    // is chunk garbage that V8 collects in steps; `npm run bench` reports the 200 MB figures).
    const summary = `RSS baseline ${formatMiB(baseline)}, peak ${formatMiB(peakBytes)} for a ${formatMiB(BLOB_BYTES)} blob`
    expect(peakBytes - baseline, summary).toBeLessThan(BLOB_BYTES * 0.75)
  }, 90_000)
})
