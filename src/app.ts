/**
 * HTTP wiring (Hono): routes, raw-body reading, the Delivery hand-off, and the single mapping from
 * errors to HTTP responses. `createApp(deps).fetch(Request)` is the one seam every runtime uses.
 */
import { Hono, type Context } from 'hono'
import type { Deps } from './deps.ts'
import { ForbiddenError, isAppError, NotFoundError, PayloadTooLargeError, UnauthorizedError, type AppError } from './errors.ts'
import { redactUrl } from './log.ts'
import { ingestDelivery } from './pipeline/ingest-delivery.ts'
import { buildStatus, parseStatusQuery } from './pipeline/status.ts'
import { sweep } from './pipeline/sweep.ts'
import { findSource } from './sources/source-table.ts'
import { readBearer, requireSecret } from './sources/verify.ts'

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_PAYLOAD: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STATE_CONFLICT: 503,
  REGISTRY_ERROR: 502,
  INVALID_MANIFEST: 502,
}

/** Creates the Hono app over `deps`. */
export function createApp(deps: Deps): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/status', async (c) => {
    await requireAdmin(deps, c)
    return c.json(await buildStatus(deps, parseStatusQuery(c.req.query())))
  })
  app.post('/reconcile', async (c) => {
    // Unlike /status, a sweep costs registry requests: it is never open to anyone.
    if (!deps.config.server.adminToken) throw new ForbiddenError('POST /reconcile is disabled: set server.adminToken to use it')
    await requireAdmin(deps, c)
    const name = c.req.query('image')
    const image = name === undefined ? undefined : deps.catalog.image(name)
    if (name !== undefined && !image) throw new NotFoundError(`no configured image has the target "${name}"`)
    return c.json(await sweep(deps, image ? { image } : {}))
  })
  app.post('/webhooks/:source/:secret?', async (c) => {
    const entry = findSource(c.req.param('source'))
    const options = entry?.options(deps.config)
    if (!entry || !options) throw new NotFoundError(`no webhook source "${c.req.param('source')}" is configured`)
    const body = await readBody(c.req.raw, deps.config.server.maxBodyBytes)
    const delivery = { headers: c.req.raw.headers, body, params: { secret: c.req.param('secret') }, receivedAt: deps.now().toISOString() }
    return c.json(await ingestDelivery(deps, entry.source, options, delivery), 202)
  })
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${redactUrl(c.req.path)}` } }, 404))
  app.onError((error, c) => errorResponse(deps, c, error))
  return app
}

// A declared Content-Length is checked before anything is read; a chunked body is read with a cap.
async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const tooLarge = () => new PayloadTooLargeError(`body exceeds ${max} bytes`)
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > max) throw tooLarge()
  if (Number.isFinite(declared) || !request.body) {
    const bytes = new Uint8Array(await request.arrayBuffer())
    if (bytes.byteLength > max) throw tooLarge()
    return bytes
  }
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = request.body.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.byteLength
    if (total > max) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(read.value)
  }
  const bytes = new Uint8Array(total)
  chunks.reduce((offset, chunk) => (bytes.set(chunk, offset), offset + chunk.byteLength), 0)
  return bytes
}

async function requireAdmin(deps: Deps, c: Context): Promise<void> {
  const token = deps.config.server.adminToken
  if (!token) return
  await requireSecret(readBearer(c.req.header('authorization') ?? null), [token], 'admin bearer token')
}

function errorResponse(deps: Deps, c: Context, error: unknown): Response {
  if (isAppError(error)) {
    const status = statusOf(error)
    const fields = { method: c.req.method, path: redactUrl(c.req.path), status, code: error.code, message: error.message }
    if (status >= 500) deps.log.error('request failed', fields)
    else deps.log.warn('request refused', fields)
    const issues = 'issues' in error && Array.isArray(error.issues) && error.issues.length > 0 ? { issues: error.issues } : {}
    return c.json({ error: { code: error.code, message: error.message, ...issues } }, status as 400)
  }
  deps.log.error('unexpected error', { method: c.req.method, path: redactUrl(c.req.path), error })
  return c.json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500)
}

function statusOf(error: AppError): number {
  if (error instanceof UnauthorizedError) return 401
  if ('temporary' in error && error.temporary === true) return 503
  return STATUS_BY_CODE[error.code] ?? 500
}
