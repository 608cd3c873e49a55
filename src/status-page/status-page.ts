/**
 * The status page (`GET /`): server-rendered with Hono's html helper (escaping templates), no
 * script and no external asset; a meta refresh keeps it current, so it works without JavaScript.
 * Times are UTC, with the age next to them. Not hono/jsx: its render context probes for
 * `node:async_hooks`, which the Worker bundle must not name (test/runtime/workers), and it added
 * ~20 KB gzipped to that bundle; not JSX syntax either: scripts/demo.ts loads the server as source
 * under Node's type stripping, which cannot read .tsx.
 */
import { html, raw } from 'hono/html'
import { PAGE_STYLES } from './page-styles.ts'
import type { ImageView, PlatformCell, StatusView, VersionView } from './status-view.ts'

export const REFRESH_SECONDS = 30

// Every value interpolated here is synchronous, so a template is never the Promise variant.
type Html = ReturnType<typeof html>

/** Renders the whole page for `view` at `now`. */
export function renderStatusPage(view: StatusView, now: Date, signedIn: boolean): string {
  const errors = view.images.flatMap((image) => image.versions.flatMap((v) => (v.lastError ? [{ image: image.image, version: v.version, ...v.lastError }] : [])))
  const sweep = view.sweep?.last
  return renderDocument('manifest-hook status', REFRESH_SECONDS, html`<main>
<header><h1>manifest-hook</h1><span class="muted">as of ${formatTime(now.toISOString(), now)}; refreshes every ${REFRESH_SECONDS} s</span>${signedIn && html`<form class="inline" method="post" action="/logout"><button type="submit">Sign out</button></form>`}</header>
<section id="sweep"><h2>Last sweep</h2>${sweep
    ? html`<p>${formatTime(sweep.at, now)}, ${sweep.full ? 'full' : 'light'}: ${sweep.versionsChecked} checked, ${sweep.versionsProcessed} processed, ${sweep.versionsDiscovered} discovered, <span class="${sweep.failures > 0 ? 'cell-refused' : ''}">${sweep.failures} failures</span></p>`
    : html`<p class="muted">no sweep has run yet</p>`}</section>
<section id="errors"><h2>Last errors</h2>${errors.length === 0
    ? html`<p class="muted">none</p>`
    : html`<ul class="errors">${errors.map((e) => html`<li><code>${e.image}:${e.version}</code> ${formatTime(e.at, now)} (${e.attempts} attempts): ${e.message}</li>`)}</ul>`}${view.warnings.map((w) => html`<p class="cell-pending">${w}</p>`)}</section>
${view.images.map((image) => renderImage(image, now))}
</main>`)
}

function renderImage(image: ImageView, now: Date): Html {
  const tagRows = image.tags.length === 0
    ? html`<tr><td colspan="4" class="muted">no moving tag yet</td></tr>`
    : image.tags.map(([tag, pointer]) => html`<tr data-tag="${tag}"><th>${tag}</th><td>${pointer.version}</td><td>${renderDigest(pointer.digest)}</td><td>${pointer.pushed.length}/${image.targets.length}</td></tr>`)
  const versionRows = image.versions.length === 0
    ? html`<tr><td colspan="${image.platforms.length + 3}" class="muted">no version yet</td></tr>`
    : image.versions.map((v) => renderVersion(v, now))
  return html`<section class="image"><h2>${image.image}</h2>${image.targets.length > 1 && html`<p class="muted">targets: ${image.targets.join(', ')}</p>`}
<div class="scroll"><table class="tags"><thead><tr><th>moving tag</th><th>version</th><th>digest</th><th>pushed to</th></tr></thead><tbody>${tagRows}</tbody></table></div>
<div class="scroll"><table class="versions"><thead><tr><th>version</th><th>state</th>${image.platforms.map((p) => html`<th>${p}</th>`)}<th>published</th></tr></thead><tbody>${versionRows}</tbody></table></div>
${image.versionsOmitted > 0 && html`<p class="muted">${image.versionsOmitted} older versions not shown (GET /status lists them)</p>`}</section>`
}

function renderVersion(version: VersionView, now: Date): Html {
  const published = version.published
  const publishedCell = published
    ? html`${renderDigest(published.digest)}<br>${published.tags.join(', ')}${published.partial ? ' (partial)' : ''}<br>${renderTime(published.at, now)}`
    : html`<span class="muted">not yet</span>`
  return html`<tr data-version="${version.version}"><th>${version.version}</th><td class="state state-${version.state}">${version.state}</td>${version.cells.map((cell) => html`<td class="cell-${cell.kind}">${renderCell(cell, now)}</td>`)}<td>${publishedCell}</td></tr>`
}

function renderCell(cell: PlatformCell, now: Date): Html {
  if (cell.kind === 'missing') return html`missing`
  const first = cell.kind === 'pending' ? 'arrived, checking' : cell.kind === 'refused' ? `refused: ${cell.reason}` : cell.digest ? renderDigest(cell.digest) : 'arrived'
  return html`${first}<br>${renderTime(cell.at, now)}`
}

function renderDigest(digest: string): Html {
  return html`<code title="${digest}">${digest.slice(0, 19)}</code>`
}

function renderTime(iso: string, now: Date): Html {
  return html`<span class="muted">${formatTime(iso, now)}</span>`
}

/** Renders the sign-in form (the token goes in a POST body, never in a URL). */
export function renderLoginPage(message?: string): string {
  return renderDocument('manifest-hook: sign in', undefined, html`<main><h1>manifest-hook</h1>
<form method="post" action="/login"><label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Sign in</button></form>
${message && html`<p class="cell-refused" role="alert">${message}</p>`}</main>`)
}

/** Renders a page that only says why there is nothing to see. */
export function renderClosedPage(message: string): string {
  return renderDocument('manifest-hook', undefined, html`<main><h1>manifest-hook</h1><p>${message}</p></main>`)
}

function renderDocument(title: string, refreshSeconds: number | undefined, body: Html): string {
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refreshSeconds !== undefined && html`<meta http-equiv="refresh" content="${refreshSeconds}">`}<title>${title}</title><link rel="icon" href="data:,"><style>${raw(PAGE_STYLES)}</style></head>
<body>${body}</body></html>`
  return String(page)
}

/** `2026-12-03 08:20:11 UTC (3 min ago)`. */
export function formatTime(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000)
  const age = seconds < 60 ? `${Math.max(0, seconds)} s ago` : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : seconds < 172_800 ? `${Math.floor(seconds / 3600)} h ago` : `${Math.floor(seconds / 86_400)} days ago`
  return `${iso.slice(0, 19).replace('T', ' ')} UTC (${age})`
}
