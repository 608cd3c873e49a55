/**
 * The status page (`GET /`): server-rendered with hono/jsx, no script and no external asset; it
 * refreshes itself with a meta refresh, so it works without JavaScript. Times are UTC, with the
 * age next to them. Elements are built with `jsx()` calls rather than JSX syntax: Node's type
 * stripping (scripts/demo.ts imports the server as source) cannot load .tsx files.
 */
import { jsx as h, type Child } from 'hono/jsx'
import { PAGE_STYLES } from './page-styles.ts'
import type { ImageView, PlatformCell, StatusView, VersionView } from './status-view.ts'

export const REFRESH_SECONDS = 30

/** Renders the whole page for `view` at `now`. */
export function renderStatusPage(view: StatusView, now: Date, signedIn: boolean): string {
  const errors = view.images.flatMap((image) => image.versions.flatMap((v) => (v.lastError ? [{ image: image.image, version: v.version, ...v.lastError }] : [])))
  const sweep = view.sweep?.last
  return renderDocument('manifest-hook status', REFRESH_SECONDS, h('main', null,
    h('header', null,
      h('h1', null, 'manifest-hook'),
      h('span', { class: 'muted' }, `as of ${formatTime(now.toISOString(), now)}; refreshes every ${REFRESH_SECONDS} s`),
      signedIn && h('form', { class: 'inline', method: 'post', action: '/logout' }, h('button', { type: 'submit' }, 'Sign out')),
    ),
    h('section', { id: 'sweep' },
      h('h2', null, 'Last sweep'),
      sweep
        ? h('p', null, `${formatTime(sweep.at, now)}, ${sweep.full ? 'full' : 'light'}: ${sweep.versionsChecked} checked, ${sweep.versionsProcessed} processed, ${sweep.versionsDiscovered} discovered, `,
          h('span', { class: sweep.failures > 0 ? 'cell-refused' : '' }, `${sweep.failures} failures`))
        : h('p', { class: 'muted' }, 'no sweep has run yet'),
    ),
    h('section', { id: 'errors' },
      h('h2', null, 'Last errors'),
      errors.length === 0
        ? h('p', { class: 'muted' }, 'none')
        : h('ul', { class: 'errors' }, ...errors.map((e) => h('li', null, h('code', null, `${e.image}:${e.version}`), ` ${formatTime(e.at, now)} (${e.attempts} attempts): ${e.message}`))),
      ...view.warnings.map((w) => h('p', { class: 'cell-pending' }, w)),
    ),
    ...view.images.map((image) => renderImage(image, now)),
  ))
}

function renderImage(image: ImageView, now: Date): Child {
  const tagRows = image.tags.length === 0
    ? [h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'no moving tag yet'))]
    : image.tags.map(([tag, pointer]) => h('tr', { 'data-tag': tag }, h('th', null, tag), h('td', null, pointer.version), h('td', null, renderDigest(pointer.digest)), h('td', null, `${pointer.pushed.length}/${image.targets.length}`)))
  const versionRows = image.versions.length === 0
    ? [h('tr', null, h('td', { colspan: image.platforms.length + 3, class: 'muted' }, 'no version yet'))]
    : image.versions.map((v) => renderVersion(v, now))
  return h('section', { class: 'image' },
    h('h2', null, image.image),
    image.targets.length > 1 && h('p', { class: 'muted' }, `targets: ${image.targets.join(', ')}`),
    h('div', { class: 'scroll' }, h('table', { class: 'tags' },
      h('thead', null, h('tr', null, ...['moving tag', 'version', 'digest', 'pushed to'].map((t) => h('th', null, t)))),
      h('tbody', null, ...tagRows),
    )),
    h('div', { class: 'scroll' }, h('table', { class: 'versions' },
      h('thead', null, h('tr', null, ...['version', 'state', ...image.platforms, 'published'].map((t) => h('th', null, t)))),
      h('tbody', null, ...versionRows),
    )),
    image.versionsOmitted > 0 && h('p', { class: 'muted' }, `${image.versionsOmitted} older versions not shown (GET /status lists them)`),
  )
}

function renderVersion(version: VersionView, now: Date): Child {
  const published = version.published
  return h('tr', { 'data-version': version.version },
    h('th', null, version.version),
    h('td', { class: `state state-${version.state}` }, version.state),
    ...version.cells.map((cell) => h('td', { class: `cell-${cell.kind}` }, ...renderCell(cell, now))),
    h('td', null, ...(published
      ? [renderDigest(published.digest), h('br', null), `${published.tags.join(', ')}${published.partial ? ' (partial)' : ''}`, h('br', null), renderTime(published.at, now)]
      : [h('span', { class: 'muted' }, 'not yet')])),
  )
}

function renderCell(cell: PlatformCell, now: Date): Child[] {
  if (cell.kind === 'missing') return ['missing']
  const first = cell.kind === 'pending' ? 'arrived, checking' : cell.kind === 'refused' ? `refused: ${cell.reason}` : cell.digest ? renderDigest(cell.digest) : 'arrived'
  return [first, h('br', null), renderTime(cell.at, now)]
}

function renderDigest(digest: string): Child {
  return h('code', { title: digest }, digest.slice(0, 19))
}

function renderTime(iso: string, now: Date): Child {
  return h('span', { class: 'muted' }, formatTime(iso, now))
}

/** Renders the sign-in form (the token goes in a POST body, never in a URL). */
export function renderLoginPage(message?: string): string {
  return renderDocument('manifest-hook: sign in', undefined, h('main', null,
    h('h1', null, 'manifest-hook'),
    h('form', { method: 'post', action: '/login' },
      h('label', { for: 'token' }, 'Admin token'),
      h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true }),
      h('button', { type: 'submit' }, 'Sign in'),
    ),
    message && h('p', { class: 'cell-refused', role: 'alert' }, message),
  ))
}

/** Renders a page that only says why there is nothing to see. */
export function renderClosedPage(message: string): string {
  return renderDocument('manifest-hook', undefined, h('main', null, h('h1', null, 'manifest-hook'), h('p', null, message)))
}

function renderDocument(title: string, refreshSeconds: number | undefined, body: Child): string {
  const page = h('html', { lang: 'en' },
    h('head', null,
      h('meta', { charset: 'utf-8' }),
      h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      refreshSeconds !== undefined && h('meta', { 'http-equiv': 'refresh', content: String(refreshSeconds) }),
      h('title', null, title),
      h('link', { rel: 'icon', href: 'data:,' }),
      h('style', { dangerouslySetInnerHTML: { __html: PAGE_STYLES } }),
    ),
    h('body', null, body),
  )
  return `<!doctype html>${page.toString() as string}`
}

/** `2026-12-03 08:20:11 UTC (3 min ago)`. */
export function formatTime(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000)
  const age = seconds < 60 ? `${Math.max(0, seconds)} s ago` : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : seconds < 172_800 ? `${Math.floor(seconds / 3600)} h ago` : `${Math.floor(seconds / 86_400)} days ago`
  return `${iso.slice(0, 19).replace('T', ' ')} UTC (${age})`
}
