/**
 * Direct reads of a plain-HTTP registry for assertions (no proxy, no auth): manifests with their
 * digests, and the completeness check "every child of this index, and every blob of each child,
 * exists in the repository".
 */
import { createHash } from 'node:crypto'

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')

/** A manifest as the registry serves it. */
export interface ServedManifest {
  digest: string
  json: any
  text: string
}

/** GETs `repository:reference` from `registryUrl`; undefined on 404. */
export async function readManifest(registryUrl: string, repository: string, reference: string): Promise<ServedManifest | undefined> {
  const response = await fetchManifest(`${registryUrl}/v2/${repository}/manifests/${reference}`)
  if (response.status === 404) return void (await response.arrayBuffer())
  if (response.status !== 200) throw new Error(`GET ${repository}:${reference} answered ${response.status}`)
  const bytes = Buffer.from(await response.arrayBuffer())
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, json: JSON.parse(bytes.toString('utf8')), text: bytes.toString('utf8') }
}

// distribution 2.8 (filesystem storage) sometimes answers 500 to a GET of a tag that is being
// rewritten at that moment (seen in the crash tests while `latest` moved); ask again a few times.
async function fetchManifest(url: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { headers: { accept: ACCEPT } })
    if (response.status < 500 || attempt >= 5) return response
    await response.arrayBuffer()
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
  }
}

async function exists(url: string, accept?: string): Promise<boolean> {
  const response = await fetch(url, { method: 'HEAD', ...(accept ? { headers: { accept } } : {}) })
  return response.status === 200
}

/** Returns true when `json` is an image index or manifest list. */
export function isIndexDocument(json: any): boolean {
  return Array.isArray(json?.manifests)
}

/** Lists what an index references that is missing from `repository` (children and their blobs). */
export async function findMissingReferences(registryUrl: string, repository: string, index: any): Promise<string[]> {
  const missing: string[] = []
  for (const child of index.manifests ?? []) {
    const manifest = await readManifest(registryUrl, repository, child.digest)
    if (!manifest) {
      missing.push(`manifest ${child.digest}`)
      continue
    }
    for (const blob of [manifest.json.config, ...(manifest.json.layers ?? [])]) {
      if (!(await exists(`${registryUrl}/v2/${repository}/blobs/${blob.digest}`))) missing.push(`blob ${blob.digest} of ${child.digest}`)
    }
  }
  return missing
}

/** The tags of `repository` (sorted), from the registry's tag list. */
export async function listTags(registryUrl: string, repository: string): Promise<string[]> {
  const response = await fetch(`${registryUrl}/v2/${repository}/tags/list`)
  const json: any = await response.json()
  return [...(json.tags ?? [])].sort()
}
