/**
 * Large, deterministic blobs made on the fly (never held in memory whole) and a plain-HTTP push of
 * an image whose layer is such a blob: for the streaming-copy test and bench.
 */
import { createHash } from 'node:crypto'
import { request } from 'node:http'

const CHUNK = 1024 * 1024

/** A blob of `size` bytes that can be streamed any number of times. */
export interface BigBlob {
  digest: string
  size: number
  /** Yields the bytes in 1 MiB chunks. */
  chunks(): Generator<Buffer>
}

/** Describes a blob of `size` bytes derived from `seed`; hashes it once to learn its digest. */
export function createBigBlob(size: number, seed: string): BigBlob {
  const block = createHash('sha512').update(seed).digest()
  const chunks = function* () {
    for (let offset = 0, n = 0; offset < size; offset += CHUNK, n++) {
      const chunk = Buffer.alloc(Math.min(CHUNK, size - offset), block)
      chunk.writeUInt32BE(n, 0)
      yield chunk
    }
  }
  const hash = createHash('sha256')
  for (const chunk of chunks()) hash.update(chunk)
  return { digest: `sha256:${hash.digest('hex')}`, size, chunks }
}

/** PUTs `body` (bytes or chunks) to `url` with a Content-Length; resolves with the status and headers. */
export function putBody(url: string, body: Iterable<Buffer>, length: number, contentType: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': contentType, 'content-length': length } }, (res) => {
      res.resume()
      res.once('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) }))
    })
    req.once('error', reject)
    const iterator = body[Symbol.iterator]()
    const pump = () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) if (!req.write(next.value)) return void req.once('drain', pump)
      req.end()
    }
    pump()
  })
}

/** Uploads a blob by POST (session) + monolithic PUT, streamed. */
export async function uploadBlob(registryUrl: string, repository: string, digest: string, body: Iterable<Buffer>, length: number): Promise<void> {
  const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  await started.arrayBuffer()
  const location = new URL(started.headers.get('location') ?? '', registryUrl)
  location.searchParams.set('digest', digest)
  const put = await putBody(location.href, body, length, 'application/octet-stream')
  if (put.status !== 201) throw new Error(`blob upload of ${digest} to ${repository} answered ${put.status}`)
}

/** Pushes a linux/amd64 Docker image whose only layer is `layer`; returns the manifest digest. */
export async function pushImageWithBlob(registryUrl: string, repository: string, tag: string, layer: BigBlob): Promise<string> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }))
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
  await uploadBlob(registryUrl, repository, configDigest, [config], config.length)
  await uploadBlob(registryUrl, repository, layer.digest, layer.chunks(), layer.size)
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layer.digest, size: layer.size }],
  }))
  const put = await putBody(`${registryUrl}/v2/${repository}/manifests/${tag}`, [manifest], manifest.length, 'application/vnd.docker.distribution.manifest.v2+json')
  if (put.status !== 201) throw new Error(`manifest PUT ${repository}:${tag} answered ${put.status}`)
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`
}
