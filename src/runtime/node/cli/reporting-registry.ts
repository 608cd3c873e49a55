/**
 * Wraps the registry client for `publish`: every blob copy and manifest PUT is reported as a
 * progress line; in a dry run those writes are not sent at all (reads still are), and are reported
 * as what would have been written.
 */
import type { Descriptor } from '../../../core/image-documents.ts'
import { formatRepositoryName, type RepositoryName } from '../../../core/reference.ts'
import type { RegistryClient } from '../../../registry/registry-client.ts'

/** One write the pipeline made (or, in a dry run, would have made). */
export type RegistryWrite =
  | { kind: 'blob'; to: string; digest: string; size: number; outcome: string }
  | { kind: 'manifest'; to: string; reference: string; digest: string; mediaType: string }

export interface ReportingOptions {
  dryRun: boolean
  report: (write: RegistryWrite) => void
  computeDigest: (bytes: Uint8Array) => Promise<string>
}

/** Returns a client whose writes are reported and, in a dry run, not sent. */
export function createReportingRegistry(inner: RegistryClient, options: ReportingOptions): RegistryClient {
  const { dryRun, report } = options
  return {
    getManifest: (repo, reference) => inner.getManifest(repo, reference),
    headManifest: (repo, reference) => inner.headManifest(repo, reference),
    getBlob: (repo, digest, maxBytes) => inner.getBlob(repo, digest, maxBytes),
    listReferrers: (repo, digest) => inner.listReferrers(repo, digest),
    listTags: (repo) => inner.listTags(repo),
    // A token request with push scope is no write; dry runs still check that access is granted.
    ...(inner.declareAccess ? { declareAccess: (plan) => inner.declareAccess?.(plan) } : {}),
    async copyBlob(from: RepositoryName, to: RepositoryName, blob: Descriptor) {
      const outcome = dryRun ? 'skipped' : await inner.copyBlob(from, to, blob)
      report({ kind: 'blob', to: formatRepositoryName(to), digest: blob.digest, size: blob.size, outcome })
      return outcome
    },
    async putManifest(repo, reference, manifest, putOptions) {
      const result = dryRun
        ? { digest: await options.computeDigest(manifest.bytes), skipped: true }
        : await inner.putManifest(repo, reference, manifest, putOptions)
      report({ kind: 'manifest', to: formatRepositoryName(repo), reference, digest: result.digest, mediaType: manifest.mediaType })
      return result
    },
  }
}
