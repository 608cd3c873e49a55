/**
 * Manifest operations: GET (digest-verified, size-capped), HEAD, and PUT with an optional
 * HEAD-first skip that makes redelivered webhooks cost one request.
 */
import { isDigest } from '../core/digest.ts'
import { MANIFEST_ACCEPT } from '../core/media-types.ts'
import type { RepositoryName } from '../core/reference.ts'
import { pullScope, pushScope } from './auth-challenge.ts'
import { discardBody, readCapped } from './body.ts'
import { buildRegistryUrl } from './endpoint.ts'
import { RegistryError } from './errors.ts'
import type { Manifest, ManifestHead, PutManifestOptions, PutManifestResult } from './registry-client.ts'
import { expectStatus, type RequestContext } from './request-context.ts'

// "Clients and registries SHOULD handle at least 4 megabytes" (distribution-spec, Pushing Manifests).
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const ACCEPT = { Accept: MANIFEST_ACCEPT.join(', ') }

/** GETs a manifest with the full Accept list; verifies the digest when `reference` is one. */
export async function getManifest(context: RequestContext, repo: RepositoryName, reference: string): Promise<Manifest> {
  const endpoint = context.endpoint(repo, 'GET')
  const url = buildRegistryUrl(endpoint, repo.repository, 'manifests', reference)
  const scopes = [pullScope(repo.repository)]
  const response = await context.send(endpoint, { method: 'GET', url, headers: ACCEPT, scopes, deadline: context.deadline() })
  await expectStatus(response, [200], 'GET', url)
  const bytes = await readCapped(response, MAX_MANIFEST_BYTES)
  if (!bytes) throw new RegistryError({ reason: 'too-large', method: 'GET', url, detail: `manifest larger than ${MAX_MANIFEST_BYTES} bytes` })
  const digest = await context.digest(bytes)
  if (isDigest(reference) && digest !== reference) throw digestMismatch('GET', url, reference, digest)
  return { digest, mediaType: readMediaType(bytes, response.headers.get('content-type')), bytes }
}

/** HEADs a manifest; the listed statuses (404 by default) mean "absent". */
export async function headManifest(
  context: RequestContext,
  repo: RepositoryName,
  reference: string,
  absent: readonly number[] = [404],
): Promise<ManifestHead | undefined> {
  const endpoint = context.endpoint(repo, 'HEAD')
  const url = buildRegistryUrl(endpoint, repo.repository, 'manifests', reference)
  const scopes = [pullScope(repo.repository)]
  const response = await context.send(endpoint, { method: 'HEAD', url, headers: ACCEPT, scopes, deadline: context.deadline() })
  await discardBody(response)
  if (absent.includes(response.status)) return undefined
  await expectStatus(response, [200], 'HEAD', url)
  const mediaType = stripParameters(response.headers.get('content-type') ?? '')
  const size = Number(response.headers.get('content-length') ?? Number.NaN)
  // Docker-Content-Digest is optional under OCI (spec "Legacy Docker support"): GET when it is missing.
  const digest = response.headers.get('docker-content-digest') ?? (isDigest(reference) ? reference : undefined)
  if (digest && Number.isFinite(size) && mediaType) return { digest, mediaType, size }
  const manifest = await getManifest(context, repo, reference)
  return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.byteLength }
}

/** PUTs manifest bytes; with `headFirst`, skips the PUT when the reference already has this digest. */
export async function putManifest(
  context: RequestContext,
  repo: RepositoryName,
  reference: string,
  manifest: { bytes: Uint8Array; mediaType: string },
  options: PutManifestOptions = {},
): Promise<PutManifestResult> {
  const digest = await context.digest(manifest.bytes)
  if (options.headFirst) {
    // 403 counts as absent (Artifactory answers HEAD with 403), as go-containerregistry's manifestExists does:
    // https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/pusher.go
    const existing = await headManifest(context, repo, reference, [403, 404])
    if (existing?.digest === digest) return { digest, skipped: true }
  }
  const endpoint = context.endpoint(repo, 'PUT')
  const url = buildRegistryUrl(endpoint, repo.repository, 'manifests', reference)
  const headers = { 'Content-Type': manifest.mediaType }
  const scopes = [pushScope(repo.repository)]
  const body = manifest.bytes
  const response = await context.send(endpoint, { method: 'PUT', url, headers, body, scopes, deadline: context.deadline() })
  // The spec says 201; 200 and 202 are accepted too, as go-containerregistry's pusher does:
  // https://github.com/google/go-containerregistry/blob/main/pkg/v1/remote/pusher.go
  await expectStatus(response, [200, 201, 202], 'PUT', url)
  await discardBody(response)
  const stored = response.headers.get('docker-content-digest')
  if (stored && stored !== digest) throw digestMismatch('PUT', url, digest, stored)
  const subject = response.headers.get('oci-subject')
  return subject ? { digest, skipped: false, subject } : { digest, skipped: false }
}

/** The manifest's own `mediaType` field when present, else the response's Content-Type. */
function readMediaType(bytes: Uint8Array, contentType: string | null): string {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes))
    const field = (json as { mediaType?: unknown } | null)?.mediaType
    if (typeof field === 'string' && field) return field
  } catch {
    // Not JSON: fall back to the header.
  }
  return stripParameters(contentType ?? '')
}

function stripParameters(contentType: string): string {
  return contentType.split(';')[0]!.trim()
}

function digestMismatch(method: string, url: URL, expected: string, actual: string): RegistryError {
  return new RegistryError({ reason: 'digest-mismatch', method, url, detail: `digest mismatch: expected ${expected}, got ${actual}` })
}
