/**
 * The distribution API routes of the fake registry: manifests, blobs, uploads (monolithic PUT into
 * a session, mount via ?mount=&from=) with the checks a strict registry makes.
 */
import { computeDigest, isDigest } from '../../src/core/digest.ts'
import type { FakeAuth } from './fake-registry-auth.ts'
import { ociError } from './fake-registry-errors.ts'
import type { FakeStore } from './fake-registry-store.ts'

/** Behaviour switches of the routes. */
export interface FakeRouteOptions {
  refuseMounts: boolean
  absoluteLocations: boolean
  redirectBlobs?: (digest: string) => string | undefined
}

const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/
const UPLOAD = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/
const BLOB = /^\/v2\/(.+)\/blobs\/([^/]+)$/
const TAGS = /^\/v2\/(.+)\/tags\/list$/

/** Handles one `/v2/...` request. */
export async function handleV2(request: Request, store: FakeStore, auth: FakeAuth, options: FakeRouteOptions): Promise<Response> {
  const url = new URL(request.url)
  const read = request.method === 'GET' || request.method === 'HEAD'
  if (url.pathname === '/v2/') return auth.check(request, []) ?? Response.json({})
  const tags = TAGS.exec(url.pathname)
  if (tags && read) return auth.check(request, [`repository:${tags[1]}:pull`]) ?? listTags(url, tags[1]!, store)
  const upload = UPLOAD.exec(url.pathname)
  const manifest = MANIFEST.exec(url.pathname)
  const match = upload ?? manifest ?? BLOB.exec(url.pathname)
  if (!match) return ociError(404, 'NAME_UNKNOWN', 'unknown route')
  const name = match[1]!
  const from = url.searchParams.get('from')
  // distribution's app.go: writes need pull,push; a mount also needs pull on the source.
  const access = [`repository:${name}:${read ? 'pull' : 'pull,push'}`, ...(from ? [`repository:${from}:pull`] : [])]
  const refused = auth.check(request, access)
  if (refused) return refused
  if (upload) return handleUpload(request, url, name, match[2]!, store, options)
  if (manifest) return handleManifest(request, name, match[2]!, store)
  return handleBlob(request, name, match[2]!, store, options)
}

async function handleManifest(request: Request, name: string, reference: string, store: FakeStore): Promise<Response> {
  if (request.method === 'PUT') return putManifest(request, name, reference, store)
  const manifest = store.resolveManifest(name, reference)
  // Like distribution, a manifest whose type is not in Accept is not served (no down-conversion here).
  const accept = request.headers.get('accept') ?? ''
  if (!manifest || !accept.includes(manifest.mediaType)) return ociError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { reference })
  return new Response(request.method === 'HEAD' ? null : (manifest.bytes as Uint8Array<ArrayBuffer>), {
    headers: contentHeaders(manifest.digest, manifest.bytes.byteLength, manifest.mediaType),
  })
}

async function putManifest(request: Request, name: string, reference: string, store: FakeStore): Promise<Response> {
  const bytes = new Uint8Array(await request.arrayBuffer())
  const digest = await computeDigest(bytes)
  if (isDigest(reference) && reference !== digest) return ociError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
  const mediaType = request.headers.get('content-type') ?? ''
  let declared: unknown
  try {
    declared = (JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: unknown }).mediaType
  } catch {
    return ociError(400, 'MANIFEST_INVALID', 'manifest invalid')
  }
  if (declared !== undefined && declared !== mediaType) return ociError(400, 'MANIFEST_INVALID', 'mediaType does not match Content-Type')
  const missing = store.missingReferences(name, bytes)
  if (missing.length > 0) return ociError(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', missing[0])
  await store.putManifest(name, reference, bytes, mediaType)
  return new Response(null, { status: 201, headers: { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest } })
}

function handleBlob(request: Request, name: string, digest: string, store: FakeStore, options: FakeRouteOptions): Response {
  if (!store.hasBlob(name, digest)) return ociError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', digest)
  const bytes = store.blobs.get(digest)!
  const redirect = request.method === 'GET' ? options.redirectBlobs?.(digest) : undefined
  if (redirect) return new Response(null, { status: 307, headers: { Location: redirect } })
  const body = request.method === 'HEAD' ? null : (bytes as Uint8Array<ArrayBuffer>)
  return new Response(body, { headers: contentHeaders(digest, bytes.byteLength, 'application/octet-stream') })
}

async function handleUpload(request: Request, url: URL, name: string, id: string, store: FakeStore, options: FakeRouteOptions): Promise<Response> {
  const mount = url.searchParams.get('mount')
  const from = url.searchParams.get('from')
  if (request.method === 'POST' && mount && from && !options.refuseMounts && store.hasBlob(from, mount)) {
    store.linkBlob(name, mount)
    return new Response(null, { status: 201, headers: { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount } })
  }
  if (request.method === 'POST') return openSession(url, name, store, options)
  const session = store.uploads.get(id)
  if (request.method !== 'PUT' || !session || session.repository !== name) return ociError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown')
  const bytes = new Uint8Array(await request.arrayBuffer())
  const length = request.headers.get('content-length')
  if (length !== null && Number(length) !== bytes.byteLength) return ociError(400, 'SIZE_INVALID', 'content length mismatch')
  const digest = await computeDigest(bytes)
  if (url.searchParams.get('digest') !== digest) return ociError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
  store.uploads.delete(id)
  await store.putBlob(name, bytes)
  return new Response(null, { status: 201, headers: { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest } })
}

// The session Location carries its own query (distribution adds `_state`), relative unless configured.
function openSession(url: URL, name: string, store: FakeStore, options: FakeRouteOptions): Response {
  const id = crypto.randomUUID()
  store.uploads.set(id, { repository: name })
  const path = `/v2/${name}/blobs/uploads/${id}?_state=${encodeURIComponent(btoa(`${name}:${id}`))}`
  const location = options.absoluteLocations ? `${url.origin}${path}` : path
  return new Response(null, { status: 202, headers: { Location: location, 'Docker-Upload-UUID': id, Range: '0-0' } })
}

function contentHeaders(digest: string, size: number, mediaType: string): Record<string, string> {
  return { 'Content-Type': mediaType, 'Content-Length': String(size), 'Docker-Content-Digest': digest }
}

// Like distribution: sorted, `n` per page after `last`, a Link header to the next page.
function listTags(url: URL, name: string, store: FakeStore): Response {
  if (!store.hasRepository(name)) return ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry')
  const all = [...store.repository(name).tags.keys()].sort()
  const last = url.searchParams.get('last')
  const n = Number(url.searchParams.get('n') ?? all.length)
  const after = last === null ? all : all.filter((tag) => tag > last)
  const page = after.slice(0, n)
  const more = after.length > page.length
  const headers: Record<string, string> = more ? { link: `</v2/${name}/tags/list?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}>; rel="next"` } : {}
  return Response.json({ name, tags: page }, { headers })
}
