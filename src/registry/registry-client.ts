/**
 * The RegistryClient port: everything the pipeline asks of an OCI distribution registry.
 * Implemented over injected `fetch` by `createRegistryClient` (http-client.ts).
 */
import type { Descriptor } from '../core/image-documents.ts'
import type { RepositoryName } from '../core/reference.ts'

/** A manifest exactly as the registry stored it; `digest` is sha256 of `bytes`. */
export interface Manifest {
  digest: string
  mediaType: string
  bytes: Uint8Array
}

/** What a HEAD on a manifest tells us. */
export interface ManifestHead {
  digest: string
  mediaType: string
  size: number
}

/** How a blob ended up in the target repository. */
export type BlobCopyOutcome = 'exists' | 'mounted' | 'copied' | 'skipped'

/** Options for a manifest PUT. */
export interface PutManifestOptions {
  /** HEAD first and skip the PUT when the reference already has this digest (redeliveries, retries). */
  headFirst?: boolean
}

/** What a manifest PUT did; `subject` is the registry's `OCI-Subject` answer (it indexed a referrer). */
export interface PutManifestResult {
  digest: string
  skipped: boolean
  subject?: string
}

/** Registry operations used by the pipeline; every method throws RegistryError on failure. */
export interface RegistryClient {
  /** GETs a manifest by tag or digest with the full Accept list and verifies its digest. */
  getManifest(repo: RepositoryName, reference: string): Promise<Manifest>
  /** HEADs a manifest; undefined when it does not exist. */
  headManifest(repo: RepositoryName, reference: string): Promise<ManifestHead | undefined>
  /** PUTs manifest bytes under a tag or digest; returns the digest and whether the PUT was skipped. */
  putManifest(
    repo: RepositoryName,
    reference: string,
    manifest: { bytes: Uint8Array; mediaType: string },
    options?: PutManifestOptions,
  ): Promise<PutManifestResult>
  /** GETs a small blob (an image config) fully into memory, verifying digest and a size cap. */
  getBlob(repo: RepositoryName, digest: string, maxBytes?: number): Promise<Uint8Array>
  /**
   * Makes `blob` exist in `to`: cross-repo mount when both repositories are on one registry,
   * streaming copy when the registry declines the mount (202) or the registries differ.
   */
  copyBlob(from: RepositoryName, to: RepositoryName, blob: Descriptor): Promise<BlobCopyOutcome>
  /**
   * Announces the repositories the coming calls will pull from and push to, so that a registry
   * with token auth is asked once for a token covering all of them. Optional; a hint only.
   */
  declareAccess?(plan: { pull?: RepositoryName[]; push?: RepositoryName[] }): void
  /** Lists the referrers of `digest` (referrers API, else the `sha256-<hex>` tag); [] when none. */
  listReferrers(repo: RepositoryName, digest: string): Promise<Descriptor[]>
  /** Lists the tags of `repo`, every page (at most 100,000); [] when the repository does not exist. */
  listTags(repo: RepositoryName): Promise<string[]>
}
