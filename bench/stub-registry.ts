// A minimal registry for the ingest and sweep benches: it serves one linux/amd64 image (manifest by
// digest or by any tag ending in amd64, its config blob) for every repository, and keeps the
// manifests pushed to it (our indexes), so that the work a tracked delivery or a sweep starts costs
// our server what it would against a fast real registry.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { listenLoopback } from '../test/support/listen-loopback.ts'

/** A running stub; `manifestDigest` and `references` go into the bench's webhook events. */
export interface StubRegistry {
  host: string
  manifestDigest: string
  manifestMediaType: string
  references: { mediaType: string; digest: string; size: number }[]
  requests(): number
  close(): Promise<void>
}

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'
const LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

// A manifest the stub serves: its bytes, digest and media type.
interface StoredManifest {
  bytes: Buffer
  digest: string
  type: string
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** Starts the stub on 127.0.0.1 (random port). */
export async function startStubRegistry(): Promise<StubRegistry> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }))
  const layer = { mediaType: LAYER, digest: sha256(Buffer.from('stub-layer')), size: 10 }
  const configRef = { mediaType: DOCKER_CONFIG, digest: sha256(config), size: config.length }
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: configRef, layers: [layer] }))
  const manifestDigest = sha256(manifest)
  let count = 0
  const pushed = new Map<string, StoredManifest>()
  const server: Server = createServer((req, res) => {
    count++
    const url = req.url ?? '/'
    if (req.method === 'PUT' && url.includes('/manifests/')) return void storeManifest(req, res, pushed)
    const read = req.method === 'GET' || req.method === 'HEAD'
    const stored = pushed.get(url)
    if (stored && read) return sendManifest(req, res, stored)
    // Only the amd64 image exists: by digest, or under a tag that names amd64 (what the bench pushes).
    if (/\/manifests\/(sha256:|.*amd64$)/.test(url) && read) return sendManifest(req, res, { bytes: manifest, digest: manifestDigest, type: DOCKER_MANIFEST })
    if (url.endsWith(`/blobs/${configRef.digest}`)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': config.length })
      return void res.end(req.method === 'HEAD' ? undefined : config)
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND","message":"stub"}]}')
  })
  server.keepAliveTimeout = 10_000
  const { port, close } = await listenLoopback(server)
  return {
    host: `127.0.0.1:${port}`,
    manifestDigest,
    manifestMediaType: DOCKER_MANIFEST,
    references: [configRef, layer],
    requests: () => count,
    close,
  }
}

// Keeps a pushed manifest under its tag and its digest.
function storeManifest(req: IncomingMessage, res: ServerResponse, pushed: Map<string, StoredManifest>): void {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const bytes = Buffer.concat(chunks)
    const digest = sha256(bytes)
    const url = req.url ?? '/'
    const manifest = { bytes, digest, type: req.headers['content-type'] ?? DOCKER_MANIFEST }
    pushed.set(url, manifest)
    pushed.set(url.replace(/\/manifests\/[^/]+$/, `/manifests/${digest}`), manifest)
    res.writeHead(201, { 'docker-content-digest': digest, location: url, 'content-length': 0 }).end()
  })
}

function sendManifest(req: IncomingMessage, res: ServerResponse, manifest: StoredManifest): void {
  res.writeHead(200, { 'content-type': manifest.type, 'docker-content-digest': manifest.digest, 'content-length': manifest.bytes.length })
  res.end(req.method === 'HEAD' ? undefined : manifest.bytes)
}
