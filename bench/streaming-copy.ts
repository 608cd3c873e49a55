// The streaming-copy fallback at scale: a 200 MB layer copied across repositories by our server
// process when the registry declines the mount (a proxy turns the mount POST into a plain upload
// start), with the server's RSS sampled throughout, beside `curl GET | curl PUT` of the same blob
// through the same proxy.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBigBlob, pushImageWithBlob } from '../test/support/big-blob.ts'
import { startFaultProxy } from '../test/support/fault-proxy.ts'
import { getFreePort } from '../test/support/free-port.ts'
import { startRssSampler } from '../test/support/process-rss.ts'
import { startRegistry } from '../test/support/registry-server.ts'
import { startServerProcess } from './server-process.ts'

const TOKEN = 'bench-copy-token'

/** What the copy bench measured. */
export interface StreamingCopyResult {
  blobBytes: number
  ours: { seconds: number; mbPerSec: number; rssBaselineBytes: number; rssPeakBytes: number; rssPeakAnonBytes: number }
  curl: { seconds: number; mbPerSec: number }
}

/** Copies a `megabytes` MB blob through our fallback and with curl. */
export async function runStreamingCopyBench(megabytes: number): Promise<StreamingCopyResult> {
  const port = await getFreePort()
  const host = `127.0.0.1:${port}`
  const proxy = await startFaultProxy({ target: `http://${host}`, refuseMounts: true })
  const dir = mkdtempSync(join(tmpdir(), 'mh-bench-copy-'))
  const config = {
    registries: { [host]: { insecure: true, endpoint: proxy.url } },
    sources: { distribution: { token: TOKEN } },
    images: [{ target: `${host}/bench/big`, from: `${host}/bench/big-{arch}:{version}`, platforms: ['linux/amd64'] }],
    server: { sweepIntervalSeconds: 0, publicStatus: true },
  }
  const server = await startServerProcess(config, dir)
  const registry = await startRegistry({
    port,
    ...(existsSync('/dev/shm') ? { parentDir: '/dev/shm' } : {}),
    notifications: [{ url: `${server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${TOKEN}`] } }],
  })
  try {
    const blob = createBigBlob(megabytes * 1024 * 1024, `bench-${megabytes}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const rss = startRssSampler(server.child.pid as number, 10)
    const rssBaselineBytes = rss.peek().lastBytes
    await pushImageWithBlob(registry.url, 'bench/big-amd64', 'v1.0.0', blob)
    await waitForTag(registry.url, 'bench/big', 'v1.0.0')
    const { peakBytes, peakAnonBytes } = rss.stop()
    const get = proxy.log.find((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${blob.digest}`))
    const put = proxy.log.find((r) => r.method === 'PUT' && r.path.includes(`digest=${encodeURIComponent(blob.digest)}`))
    if (!get || !put || put.status !== 201) throw new Error('the blob was not copied by streaming (no GET + PUT at the proxy)')
    const seconds = (put.finishedAt - get.startedAt) / 1000
    const curlSeconds = await curlCopy(proxy.url, 'bench/big-amd64', 'bench/curl-copy', blob.digest)
    return {
      blobBytes: blob.size,
      ours: { seconds, mbPerSec: blob.size / 1e6 / seconds, rssBaselineBytes, rssPeakBytes: peakBytes, rssPeakAnonBytes: peakAnonBytes },
      curl: { seconds: curlSeconds, mbPerSec: blob.size / 1e6 / curlSeconds },
    }
  } finally {
    await registry.stop()
    await server.stop()
    await proxy.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function waitForTag(registryUrl: string, repository: string, tag: string): Promise<void> {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.list.v2+json' } })
    if (response.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${repository}:${tag} was not published within 120 s`)
}

// POST opens the session; then one pipeline streams the blob: curl GET | curl -T - (chunked PUT).
async function curlCopy(baseUrl: string, from: string, to: string, digest: string): Promise<number> {
  const started = performance.now()
  const session = await fetch(`${baseUrl}/v2/${to}/blobs/uploads/`, { method: 'POST' })
  await session.arrayBuffer()
  const location = new URL(session.headers.get('location') ?? '', baseUrl)
  location.searchParams.set('digest', digest)
  const script = 'curl -sSf "$1" | curl -sSf -o /dev/null -T - -H "Content-Type: application/octet-stream" "$2"'
  await new Promise<void>((resolve, reject) =>
    execFile('bash', ['-c', script, 'curl-copy', `${baseUrl}/v2/${from}/blobs/${digest}`, location.href], (error) => (error ? reject(error) : resolve())),
  )
  const check = await fetch(`${baseUrl}/v2/${to}/blobs/${digest}`, { method: 'HEAD' })
  if (check.status !== 200) throw new Error(`curl copy did not land (HEAD answered ${check.status})`)
  return (performance.now() - started) / 1000
}
