/**
 * HTTP wiring (Hono): routes, raw-body reading, the Delivery hand-off, and the single mapping from
 * errors to HTTP responses. `createApp(deps).fetch(Request)` is the one seam every runtime uses.
 * What only /status, /reconcile and the status page need is imported on first use: a webhook needs
 * none of it, and the Lambda bundle keeps it out of the chunk every cold start loads (bundles
 * without code splitting, Node's and the Worker's, inline it as before).
 */
import type { Context } from 'hono'
import { HonoBase } from 'hono/hono-base'
import type { Router } from 'hono/router'
import type { H, RouterRoute } from 'hono/types'
import type { Deps } from './deps.ts'
import { ForbiddenError, isAppError, NotFoundError, UnauthorizedError, type AppError } from './errors.ts'
import { createDeliveryObserver } from './http/delivery-observer.ts'
import { readBody } from './http/read-body.ts'
import { checkReadiness } from './http/readiness.ts'
import { createRefusalLog, type RefusalLog } from './http/refusal-log.ts'
import { requireStatusAccess } from './http/status-access.ts'
import { clipText, redactUrl } from './log.ts'
import { ingestDelivery, ingestVerified, type IngestReport } from './pipeline/ingest-delivery.ts'
import { findSource } from './sources/source-table.ts'
import { createStatusPageRoutes } from './status-page/status-page-routes.ts'

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_PAYLOAD: 400,
  REQUEST_ABORTED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STATE_CONFLICT: 503,
  REGISTRY_ERROR: 502,
  INVALID_MANIFEST: 502,
}

/** The app every runtime serves (its routes on the router the runtime picked). */
export type App = HonoBase

/**
 * The router of an app, picked by the runtime as hono's presets do (https://hono.dev/docs/api/presets):
 * a long-lived process (Node) takes RegExpRouter, which compiles its routes once on the first
 * request; an app built for each request (Lambda, Workers) takes LinearRouter, which adds routes in
 * no time and compiles nothing. Only the picked router is in a runtime's bundle.
 */
export type AppRouter = Router<[H, RouterRoute]>

/** Makes a new router (an app and each of its sub-apps need their own). */
export type CreateAppRouter = () => AppRouter

/** Creates the Hono app over `deps`, on routers from `createRouter` (the runtime's pick). */
export function createApp(deps: Deps, createRouter: CreateAppRouter): App {
  const app = new HonoBase({ router: createRouter() })
  const refusals = createRefusalLog(deps.log, () => deps.now().getTime())
  app.route('/', createStatusPageRoutes(deps, createRouter()))
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', async (c) => {
    const readiness = await checkReadiness(deps)
    return c.json(readiness, readiness.ready ? 200 : 503)
  })
  app.get('/status', async (c) => {
    await requireStatusAccess(deps.config, c.req.header('authorization'), new URL(c.req.url).host)
    const { buildStatus, parseStatusQuery } = await import('./pipeline/status.ts')
    return c.json(await buildStatus(deps, parseStatusQuery(c.req.query())))
  })
  app.post('/reconcile', async (c) => {
    // Unlike /status, a sweep costs registry requests: it is never open to anyone.
    if (!deps.config.server.adminToken) throw new ForbiddenError('POST /reconcile is disabled: set server.adminToken to use it')
    await requireStatusAccess(deps.config, c.req.header('authorization'), new URL(c.req.url).host)
    const name = c.req.query('image')
    const image = name === undefined ? undefined : deps.catalog.image(name)
    if (name !== undefined && !image) throw new NotFoundError(`no configured image has the target "${name}"`)
    const { sweep } = await import('./pipeline/sweep.ts')
    return c.json(await sweep(deps, image ? { image } : {}))
  })
  const observeDelivery = createDeliveryObserver(deps)
  app.post('/webhooks/:source/:secret?', async (c) => {
    const startedAt = performance.now()
    const name = c.req.param('source') ?? ''
    let report: IngestReport | undefined
    let response: Response
    try {
      report = await receiveDelivery(deps, c, name)
      response = c.json(report, 202)
    } catch (error) {
      response = errorResponse(deps, refusals, c, error)
    }
    observeDelivery({ source: name, headers: c.req.raw.headers, status: response.status, ...(report ? { report } : {}), startedAt })
    return response
  })
  app.notFound((c) => {
    const message = `no route for ${c.req.method} ${clipText(redactUrl(clipText(c.req.path, 200)), 200)}`
    refusals.refused({ method: c.req.method, path: c.req.path, status: 404, code: 'NOT_FOUND', message: 'no route' })
    return c.json({ error: { code: 'NOT_FOUND', message } }, 404)
  })
  app.onError((error, c) => errorResponse(deps, refusals, c, error))
  return app
}

/** Verifies and ingests one webhook delivery to the source `name`; throws what the error mapping answers. */
async function receiveDelivery(deps: Deps, c: Context, name: string): Promise<IngestReport> {
  const entry = findSource(name)
  const options = entry?.options(deps.config)
  if (!entry || !options) throw new NotFoundError(`no webhook source "${clipText(name, 64)}" is configured`)
  const head = { headers: c.req.raw.headers, params: { secret: c.req.param('secret') }, receivedAt: deps.now().toISOString() }
  // A stranger's body is never read where the credential is in the URL or a header.
  const verdict = entry.source.verifyHead?.(head, options)
  const proven = (verdict instanceof Promise ? await verdict : verdict) === true
  const delivery = { ...head, body: await readBody(c.req.raw, deps.config.server.maxBodyBytes) }
  return proven ? ingestVerified(deps, entry.source, options, delivery) : ingestDelivery(deps, entry.source, options, delivery)
}

function errorResponse(deps: Deps, refusals: RefusalLog, c: Context, error: unknown): Response {
  if (isAppError(error)) {
    const status = statusOf(error)
    const fields = { method: c.req.method, path: c.req.path, status, code: error.code, message: error.message }
    if (status >= 500) deps.log.error('request failed', { ...fields, path: redactUrl(clipText(c.req.path, 200)) })
    else refusals.refused(fields)
    const issues = 'issues' in error && Array.isArray(error.issues) && error.issues.length > 0 ? { issues: error.issues } : {}
    return c.json({ error: { code: error.code, message: error.message, ...issues } }, status as 400)
  }
  deps.log.error('unexpected error', { method: c.req.method, path: redactUrl(clipText(c.req.path, 200)), error })
  return c.json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500)
}

function statusOf(error: AppError): number {
  if (error instanceof UnauthorizedError) return 401
  if ('temporary' in error && error.temporary === true) return 503
  return STATUS_BY_CODE[error.code] ?? 500
}
