/**
 * copyBlob: make a blob exist in a target repository with as few requests as possible: a
 * cross-repo mount on one registry, else a HEAD and a streamed upload (never buffered in memory).
 */
import type { Descriptor } from '../core/image-documents.ts'
import { isNonDistributable } from '../core/media-types.ts'
import type { RepositoryName } from '../core/reference.ts'
import { pullScope, pushScope } from './auth-challenge.ts'
import { discardBody } from './body.ts'
import { appendQuery, buildRegistryUrl, isRegistryOrigin, resolveLocation, type RegistryEndpoint } from './endpoint.ts'
import { isTemporaryRegistryError, RegistryError } from './errors.ts'
import { openBlob } from './blobs.ts'
import type { BlobCopyOutcome } from './registry-client.ts'
import { expectStatus, type RequestContext } from './request-context.ts'
import { computeBackoff } from './transport.ts'

type MountResult = { kind: 'mounted' } | { kind: 'session'; location: URL } | { kind: 'declined' }

/** Makes `blob` exist in `to`, copying from `from`. */
export async function copyBlob(
  context: RequestContext,
  from: RepositoryName,
  to: RepositoryName,
  blob: Descriptor,
): Promise<BlobCopyOutcome> {
  // Foreign layers must not be pushed anywhere; clients fetch them from their URLs:
  // https://github.com/opencontainers/image-spec/blob/main/layer.md#non-distributable-layers
  if (isNonDistributable(blob.mediaType)) return 'skipped'
  const deadline = context.deadline()
  if (from.registry === to.registry && from.repository === to.repository) return 'exists'
  if (from.registry === to.registry) {
    const mount = await mountBlob(context, from, to, blob, deadline)
    if (mount.kind === 'mounted') return 'mounted'
    return streamCopy(context, from, to, blob, deadline, mount.kind === 'session' ? mount.location : undefined)
  }
  if (await blobExists(context, to, blob.digest, deadline)) return 'exists'
  return streamCopy(context, from, to, blob, deadline, undefined)
}

// 201 = mounted; 202 = the registry opened an upload session instead (distribution-spec "Mounting a
// blob from another repository"; Harbor and ECR do this: https://github.com/goharbor/harbor/issues/17097,
// https://github.com/aws/containers-roadmap/issues/2860).
async function mountBlob(
  context: RequestContext,
  from: RepositoryName,
  to: RepositoryName,
  blob: Descriptor,
  deadline: number,
): Promise<MountResult> {
  const endpoint = context.endpoint(to, 'POST')
  const base = buildRegistryUrl(endpoint, to.repository, 'blobs/uploads')
  const url = appendQuery(appendQuery(base, 'mount', blob.digest), 'from', from.repository)
  // Push on the target and pull on the source in one token request (https://github.com/estesp/manifest-tool/issues/53).
  const scopes = [pushScope(to.repository), pullScope(from.repository)]
  const response = await context.send(endpoint, { method: 'POST', url, scopes, deadline })
  const location = response.headers.get('location')
  if (response.status === 201) {
    await discardBody(response)
    return { kind: 'mounted' }
  }
  if (response.status === 202 && location) {
    await discardBody(response)
    return { kind: 'session', location: resolveLocation(location, url) }
  }
  // Still refused after the auth layer asked for a wider token (distribution 2.8 answers 401
  // insufficient_scope without pull on the source, registry/handlers/app.go authorized()):
  // https://github.com/distribution/distribution/blob/release/2.8/registry/handlers/app.go
  // A streamed copy may still be allowed.
  if (response.status === 401 || response.status === 403) {
    await discardBody(response)
    context.log.info('blob mount refused, copying instead', { from: from.repository, to: to.repository, status: response.status })
    return { kind: 'declined' }
  }
  await expectStatus(response, [202], 'POST', url)
  throw new RegistryError({ reason: 'http', method: 'POST', url, status: 202, detail: '202 without Location' })
}

async function blobExists(context: RequestContext, repo: RepositoryName, digest: string, deadline: number): Promise<boolean> {
  const endpoint = context.endpoint(repo, 'HEAD')
  const url = buildRegistryUrl(endpoint, repo.repository, 'blobs', digest)
  // Asks for push already: the upload that follows a 404 needs it, so one token serves both.
  const response = await context.send(endpoint, { method: 'HEAD', url, scopes: [pushScope(repo.repository)], deadline })
  await discardBody(response)
  if (response.status === 404) return false
  await expectStatus(response, [200], 'HEAD', url)
  return true
}

// The streamed PUT cannot be replayed by the transport, so a temporary failure restarts the copy
// (new GET, new session) until attempts or the deadline run out.
async function streamCopy(
  context: RequestContext,
  from: RepositoryName,
  to: RepositoryName,
  blob: Descriptor,
  deadline: number,
  offered: URL | undefined,
): Promise<'copied'> {
  let session = offered
  for (let attempt = 1; ; attempt++) {
    try {
      await uploadOnce(context, from, to, blob, deadline, session ?? (await openSession(context, to, deadline)))
      return 'copied'
    } catch (error) {
      const delay = computeBackoff(context.retry, attempt)
      const retry = isTemporaryRegistryError(error) && attempt < context.retry.attempts && context.now() + delay <= deadline
      if (!retry) throw error
      context.log.warn('blob copy retried', { digest: blob.digest, to: to.repository, attempt, delayMs: delay })
      session = undefined
      await context.sleep(delay)
    }
  }
}

async function openSession(context: RequestContext, to: RepositoryName, deadline: number): Promise<URL> {
  const endpoint = context.endpoint(to, 'POST')
  const url = buildRegistryUrl(endpoint, to.repository, 'blobs/uploads')
  const response = await context.send(endpoint, { method: 'POST', url, scopes: [pushScope(to.repository)], deadline })
  await expectStatus(response, [202], 'POST', url)
  await discardBody(response)
  const location = response.headers.get('location')
  if (!location) throw new RegistryError({ reason: 'http', method: 'POST', url, status: 202, detail: '202 without Location' })
  return resolveLocation(location, url)
}

async function uploadOnce(
  context: RequestContext,
  from: RepositoryName,
  to: RepositoryName,
  blob: Descriptor,
  deadline: number,
  session: URL,
): Promise<void> {
  const endpoint = context.endpoint(to, 'PUT')
  requireRegistryOrigin(endpoint, session)
  const source = await openBlob(context, from, blob.digest, deadline)
  const url = appendQuery(session, 'digest', blob.digest)
  const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size) }
  const body = source.response.body ?? new Uint8Array()
  const scopes = [pushScope(to.repository)]
  try {
    const response = await context.send(endpoint, { method: 'PUT', url, headers, body, scopes, deadline })
    await expectStatus(response, [201, 204], 'PUT', url)
    await discardBody(response)
  } finally {
    await discardBody(source.response)
  }
}

// An upload session elsewhere would receive our credentials and the blob: refused (distribution,
// Harbor, ECR, GAR and Docker Hub all answer with a Location on the registry itself).
function requireRegistryOrigin(endpoint: RegistryEndpoint, session: URL): void {
  if (isRegistryOrigin(endpoint, session)) return
  throw new RegistryError({
    reason: 'http',
    method: 'PUT',
    url: `${session.origin}${session.pathname}`,
    detail: `the upload Location is not on registry "${endpoint.host}" (${endpoint.base.origin}); refused`,
  })
}
