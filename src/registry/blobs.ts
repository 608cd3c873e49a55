/**
 * Blob reads: a small blob (an image config) fully into memory with digest and size checks, and a
 * source blob opened as a stream for copying. Redirects to storage hosts are followed without credentials.
 */
import type { RepositoryName } from '../core/reference.ts'
import { pullScope } from './auth-challenge.ts'
import { readCapped } from './body.ts'
import { buildRegistryUrl } from './endpoint.ts'
import { RegistryError } from './errors.ts'
import { expectStatus, type RequestContext } from './request-context.ts'

/** Default cap for `getBlob` (image configs are kilobytes). */
export const DEFAULT_BLOB_LIMIT = 4 * 1024 * 1024

/** GETs a blob into memory, verifying its digest and that it is at most `maxBytes`. */
export async function getBlob(
  context: RequestContext,
  repo: RepositoryName,
  digest: string,
  maxBytes = DEFAULT_BLOB_LIMIT,
): Promise<Uint8Array> {
  const { response, url } = await openBlob(context, repo, digest, context.deadline())
  const bytes = await readCapped(response, maxBytes)
  if (!bytes) throw new RegistryError({ reason: 'too-large', method: 'GET', url, detail: `blob larger than ${maxBytes} bytes` })
  const actual = await context.digest(bytes)
  if (actual !== digest) {
    throw new RegistryError({ reason: 'digest-mismatch', method: 'GET', url, detail: `digest mismatch: expected ${digest}, got ${actual}` })
  }
  return bytes
}

/** GETs a blob and returns the 200 response with its body unread (for streaming). */
export async function openBlob(
  context: RequestContext,
  repo: RepositoryName,
  digest: string,
  deadline: number,
): Promise<{ response: Response; url: URL }> {
  const endpoint = context.endpoint(repo, 'GET')
  const url = buildRegistryUrl(endpoint, repo.repository, 'blobs', digest)
  const scopes = [pullScope(repo.repository)]
  const response = await context.send(endpoint, { method: 'GET', url, scopes, deadline })
  await expectStatus(response, [200], 'GET', url)
  return { response, url }
}
