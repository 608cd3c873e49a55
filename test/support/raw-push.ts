// A tiny independent push client for what skopeo cannot make: referrer artifacts (a manifest with
// a `subject`) and the referrers tag index `sha256-<hex>` that OCI 1.1 clients keep on registries
// without the referrers API (distribution-spec, "Pushing Manifests with Subject").
import { createHash } from 'node:crypto'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

async function uploadBlob(registryUrl: string, repository: string, bytes: Uint8Array<ArrayBuffer>): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes)
  const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  const location = new URL(started.headers.get('location') ?? '', registryUrl)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
  if (put.status !== 201) throw new Error(`blob upload answered ${put.status}`)
  return { digest, size: bytes.byteLength }
}

async function putManifest(registryUrl: string, repository: string, reference: string, bytes: Uint8Array<ArrayBuffer>, mediaType: string): Promise<void> {
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } })
  if (put.status !== 201) throw new Error(`manifest PUT ${repository}:${reference} answered ${put.status}: ${await put.text()}`)
}

/** Pushes a signature-like artifact referring to `subject` and records it in the referrers tag. */
export async function pushReferrer(registryUrl: string, repository: string, subject: { digest: string; mediaType: string; size: number }, text: string): Promise<string> {
  const artifactType = 'application/vnd.example.signature.v1+json'
  const config = await uploadBlob(registryUrl, repository, new TextEncoder().encode('{}'))
  const layer = await uploadBlob(registryUrl, repository, new TextEncoder().encode(text))
  const manifest = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.example.signature.payload', ...layer }],
    subject,
  }))
  const digest = sha256(manifest)
  await putManifest(registryUrl, repository, digest, manifest, OCI_MANIFEST)
  const index = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest, size: manifest.byteLength, artifactType }] }))
  await putManifest(registryUrl, repository, subject.digest.replace(':', '-'), index, OCI_INDEX)
  return digest
}
