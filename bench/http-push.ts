// A minimal client push used by the bench for our scenarios: blobs by monolithic upload, then the
// manifest PUT by tag, which is what fires the registry's webhook. Doing it in-process (no skopeo
// process winding down on the same two cores) keeps the pusher's CPU out of our latency, as when
// a CI runner pushes from another machine.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildImage, type BuildImageOptions } from '../test/support/oci-layout.ts'

async function readBlob(dir: string, digest: string): Promise<Buffer> {
  return readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)))
}

async function uploadBlob(registryUrl: string, repository: string, digest: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  const location = new URL(started.headers.get('location') ?? '', registryUrl)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
  if (put.status !== 201) throw new Error(`blob upload of ${digest} answered ${put.status}`)
}

/** Uploads blobs first; returns a function that PUTs the manifest by tag (the webhook trigger). */
export async function stageImage(registryUrl: string, repository: string, tag: string, options: BuildImageOptions): Promise<() => Promise<void>> {
  const image = await buildImage(options)
  try {
    const manifestBytes = await readBlob(image.dir, image.manifestDigest)
    const manifest = JSON.parse(manifestBytes.toString('utf8'))
    for (const blob of [manifest.config, ...manifest.layers]) {
      await uploadBlob(registryUrl, repository, blob.digest, new Uint8Array(await readBlob(image.dir, blob.digest)))
    }
    return async () => {
      const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        body: new Uint8Array(manifestBytes),
        headers: { 'content-type': manifest.mediaType },
      })
      if (put.status !== 201) throw new Error(`manifest PUT ${repository}:${tag} answered ${put.status}`)
    }
  } finally {
    await image.cleanup()
  }
}
