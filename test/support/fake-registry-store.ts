/**
 * In-memory content of the fake registry: a global blob store, per-repository blob links,
 * manifests by digest, tags and upload sessions. Mirrors distribution's repository-scoped links.
 */
import { computeDigest, isDigest } from '../../src/core/digest.ts'
import { isNonDistributable } from '../../src/core/media-types.ts'

/** A manifest as stored: exact bytes plus the Content-Type it was pushed with. */
export interface StoredManifest {
  digest: string
  bytes: Uint8Array
  mediaType: string
}

interface Repository {
  blobs: Set<string>
  manifests: Map<string, StoredManifest>
  tags: Map<string, string>
}

/** The fake registry's storage. */
export interface FakeStore {
  blobs: Map<string, Uint8Array>
  uploads: Map<string, { repository: string }>
  repository(name: string): Repository
  /** Returns true when anything was ever stored under `name` (tags/list answers 404 otherwise). */
  hasRepository(name: string): boolean
  resolveManifest(name: string, reference: string): StoredManifest | undefined
  putManifest(name: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string>
  putBlob(name: string, bytes: Uint8Array): Promise<string>
  linkBlob(name: string, digest: string): void
  hasBlob(name: string, digest: string): boolean
  /** Digests the manifest references that are missing from `name` (MANIFEST_BLOB_UNKNOWN). */
  missingReferences(name: string, bytes: Uint8Array): string[]
}

/** Creates empty storage. */
export function createFakeStore(): FakeStore {
  const blobs = new Map<string, Uint8Array>()
  const repositories = new Map<string, Repository>()
  const repository = (name: string): Repository => {
    let found = repositories.get(name)
    if (!found) repositories.set(name, (found = { blobs: new Set(), manifests: new Map(), tags: new Map() }))
    return found
  }
  const store: FakeStore = {
    blobs,
    uploads: new Map(),
    repository,
    hasRepository: (name) => repositories.has(name),
    resolveManifest: (name, reference) => {
      const repo = repository(name)
      return repo.manifests.get(isDigest(reference) ? reference : (repo.tags.get(reference) ?? ''))
    },
    putManifest: async (name, reference, bytes, mediaType) => {
      const digest = await computeDigest(bytes)
      const repo = repository(name)
      repo.manifests.set(digest, { digest, bytes, mediaType })
      if (!isDigest(reference)) repo.tags.set(reference, digest)
      return digest
    },
    putBlob: async (name, bytes) => {
      const digest = await computeDigest(bytes)
      blobs.set(digest, bytes)
      repository(name).blobs.add(digest)
      return digest
    },
    linkBlob: (name, digest) => void repository(name).blobs.add(digest),
    hasBlob: (name, digest) => repository(name).blobs.has(digest) && blobs.has(digest),
    missingReferences: (name, bytes) =>
      findReferences(bytes).filter((ref) => !isPresent(store, name, ref)).map((ref) => ref.digest),
  }
  return store
}

interface Reference {
  digest: string
  kind: 'manifest' | 'blob' | 'foreign'
}

function isPresent(store: FakeStore, name: string, ref: Reference): boolean {
  if (ref.kind === 'foreign') return true
  if (ref.kind === 'manifest') return store.repository(name).manifests.has(ref.digest)
  return store.hasBlob(name, ref.digest)
}

// Children of an index must be manifests in the repository; config and layers must be blobs there.
// The subject is not checked (image-spec: a referrer may be pushed before its subject).
function findReferences(bytes: Uint8Array): Reference[] {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as {
    manifests?: Array<{ digest: string }>
    config?: { digest: string }
    layers?: Array<{ digest: string; mediaType: string }>
  }
  return [
    ...(json.manifests ?? []).map((d) => ({ digest: d.digest, kind: 'manifest' as const })),
    ...(json.config ? [{ digest: json.config.digest, kind: 'blob' as const }] : []),
    ...(json.layers ?? []).map((d) => ({ digest: d.digest, kind: isNonDistributable(d.mediaType) ? ('foreign' as const) : ('blob' as const) })),
  ]
}
