/**
 * Routes of the status page: `GET /` (the page, or the sign-in form), `POST /login` (the admin
 * token from a form body, exchanged for the session cookie) and `POST /logout`. Without an admin
 * token the page follows `/status`'s rule: open only with server.publicStatus, under a Host that
 * DNS rebinding cannot produce. The markup and the status view are imported on first use (see
 * app.ts: a webhook needs neither).
 */
import type { Context } from 'hono'
import { HonoBase } from 'hono/hono-base'
import type { AppRouter } from '../app.ts'
import type { Deps } from '../deps.ts'
import { isRebindingSafeHost } from '../http/status-access.ts'
import { timingSafeEqualSecret } from '../sources/verify.ts'
import { buildSessionValue, formatSessionCookie, isSignedIn } from './page-session.ts'

// No script, no frame, nothing from elsewhere; the icon is an empty data: URL (no /favicon.ico request).
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: under it Chromium sends `Origin: null` with the sign-in form, which the origin check refuses.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
}
const MAX_FORM_BYTES = 4096

/** The page's routes, mounted at `/`. */
export function createStatusPageRoutes(deps: Deps, router: AppRouter): HonoBase {
  const app = new HonoBase({ router })
  app.get('/', async (c) => {
    const [{ renderClosedPage, renderLoginPage, renderStatusPage }, { buildStatusView }] = await Promise.all([import('./status-page.ts'), import('./status-view.ts')])
    const token = deps.config.server.adminToken
    if (token) {
      const signedIn = await isSignedIn(c.req.header('cookie'), token)
      if (!signedIn) return page(c, renderLoginPage(), 200)
      return page(c, renderStatusPage(await buildStatusView(deps), deps.now(), true), 200)
    }
    if (!deps.config.server.publicStatus) return page(c, renderClosedPage('The status page is closed: set server.adminToken (or server.publicStatus: true).'), 403)
    if (!isRebindingSafeHost(new URL(c.req.url).host)) return page(c, renderClosedPage('Without server.adminToken the status page answers only under Host: localhost or an IP address.'), 403)
    return page(c, renderStatusPage(await buildStatusView(deps), deps.now(), false), 200)
  })
  app.post('/login', async (c) => {
    const { renderClosedPage, renderLoginPage } = await import('./status-page.ts')
    const token = deps.config.server.adminToken
    if (!token) return page(c, renderClosedPage('There is nothing to sign in to: server.adminToken is not set.'), 404)
    if (!isSameOrigin(c)) return page(c, renderClosedPage('Sign in from the status page itself.'), 403)
    const presented = await readToken(c.req.raw)
    if (presented === undefined || !timingSafeEqualSecret(presented, token.reveal())) return page(c, renderLoginPage('That is not the admin token.'), 401)
    c.header('set-cookie', formatSessionCookie(await buildSessionValue(token.reveal()), isHttps(c)))
    return c.redirect('/', 303)
  })
  app.post('/logout', (c) => {
    c.header('set-cookie', formatSessionCookie(undefined, isHttps(c)))
    return c.redirect('/', 303)
  })
  return app
}

function page(c: Context, html: string, status: 200 | 401 | 403 | 404): Response {
  return c.html(html, status, SECURITY_HEADERS)
}

// A form post from another site carries its own Origin; browsers send Origin on every POST.
function isSameOrigin(c: Context): boolean {
  const origin = c.req.header('origin')
  if (origin === undefined) return true
  return URL.canParse(origin) && new URL(origin).host === new URL(c.req.url).host
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}

async function readToken(request: Request): Promise<string | undefined> {
  const length = Number(request.headers.get('content-length') ?? '0')
  if (length > MAX_FORM_BYTES) return undefined
  const type = request.headers.get('content-type') ?? ''
  if (!type.startsWith('application/x-www-form-urlencoded')) return undefined
  const text = await request.text()
  if (text.length > MAX_FORM_BYTES) return undefined
  return new URLSearchParams(text).get('token') ?? undefined
}
