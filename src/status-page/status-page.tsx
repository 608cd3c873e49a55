/** @jsxImportSource hono/jsx */
/**
 * The status page (`GET /`): server-rendered, no script and no external asset; it refreshes itself
 * with a meta refresh, so it works without JavaScript. Times are UTC, with the age next to them.
 */
import type { Child } from 'hono/jsx'
import { PAGE_STYLES } from './page-styles.ts'
import type { ImageView, PlatformCell, StatusView, VersionView } from './status-view.ts'

export const REFRESH_SECONDS = 30

/** Renders the whole page for `view` at `now`. */
export function renderStatusPage(view: StatusView, now: Date, signedIn: boolean): string {
  const errors = view.images.flatMap((image) => image.versions.flatMap((v) => (v.lastError ? [{ image: image.image, version: v.version, ...v.lastError }] : [])))
  return renderDocument('manifest-hook status', REFRESH_SECONDS, (
    <main>
      <header>
        <h1>manifest-hook</h1>
        <span class="muted">as of {formatTime(now.toISOString(), now)}; refreshes every {REFRESH_SECONDS} s</span>
        {signedIn && <form class="inline" method="post" action="/logout"><button type="submit">Sign out</button></form>}
      </header>
      <section id="sweep">
        <h2>Last sweep</h2>
        {view.sweep?.last ? (
          <p>{formatTime(view.sweep.last.at, now)}, {view.sweep.last.full ? 'full' : 'light'}: {view.sweep.last.versionsChecked} checked, {view.sweep.last.versionsProcessed} processed, {view.sweep.last.versionsDiscovered} discovered, <span class={view.sweep.last.failures > 0 ? 'cell-refused' : ''}>{view.sweep.last.failures} failures</span></p>
        ) : <p class="muted">no sweep has run yet</p>}
      </section>
      <section id="errors">
        <h2>Last errors</h2>
        {errors.length === 0 ? <p class="muted">none</p> : (
          <ul class="errors">{errors.map((e) => <li><code>{e.image}:{e.version}</code> {formatTime(e.at, now)} ({e.attempts} attempts): {e.message}</li>)}</ul>
        )}
        {view.warnings.map((w) => <p class="cell-pending">{w}</p>)}
      </section>
      {view.images.map((image) => <ImageSection image={image} now={now} />)}
    </main>
  ))
}

function ImageSection({ image, now }: { image: ImageView; now: Date }) {
  return (
    <section class="image">
      <h2>{image.image}</h2>
      {image.targets.length > 1 && <p class="muted">targets: {image.targets.join(', ')}</p>}
      <div class="scroll"><table class="tags">
        <thead><tr><th>moving tag</th><th>version</th><th>digest</th><th>pushed to</th></tr></thead>
        <tbody>{image.tags.length === 0 ? <tr><td colspan={4} class="muted">no moving tag yet</td></tr> : image.tags.map(([tag, pointer]) => (
          <tr data-tag={tag}><th>{tag}</th><td>{pointer.version}</td><td><Digest digest={pointer.digest} /></td><td>{pointer.pushed.length}/{image.targets.length}</td></tr>
        ))}</tbody>
      </table></div>
      <div class="scroll"><table class="versions">
        <thead><tr><th>version</th><th>state</th>{image.platforms.map((p) => <th>{p}</th>)}<th>published</th></tr></thead>
        <tbody>{image.versions.length === 0 ? <tr><td colspan={image.platforms.length + 3} class="muted">no version yet</td></tr> : image.versions.map((v) => <VersionRow version={v} now={now} />)}</tbody>
      </table></div>
      {image.versionsOmitted > 0 && <p class="muted">{image.versionsOmitted} older versions not shown (GET /status lists them)</p>}
    </section>
  )
}

function VersionRow({ version, now }: { version: VersionView; now: Date }) {
  const published = version.published
  return (
    <tr data-version={version.version}>
      <th>{version.version}</th>
      <td class={`state state-${version.state}`}>{version.state}</td>
      {version.cells.map((cell) => <td class={`cell-${cell.kind}`}>{formatCell(cell, now)}</td>)}
      <td>{published ? <><Digest digest={published.digest} /><br />{published.tags.join(', ')}{published.partial ? ' (partial)' : ''}<br /><span class="muted">{formatTime(published.at, now)}</span></> : <span class="muted">not yet</span>}</td>
    </tr>
  )
}

function formatCell(cell: PlatformCell, now: Date): Child {
  if (cell.kind === 'missing') return 'missing'
  if (cell.kind === 'pending') return <>arrived, checking<br /><span class="muted">{formatTime(cell.at, now)}</span></>
  if (cell.kind === 'refused') return <>refused: {cell.reason}<br /><span class="muted">{formatTime(cell.at, now)}</span></>
  return <>{cell.digest ? <Digest digest={cell.digest} /> : 'arrived'}<br /><span class="muted">{formatTime(cell.at, now)}</span></>
}

function Digest({ digest }: { digest: string }) {
  return <code title={digest}>{digest.slice(0, 19)}</code>
}

/** Renders the sign-in form (the token goes in a POST body, never in a URL). */
export function renderLoginPage(message?: string): string {
  return renderDocument('manifest-hook: sign in', undefined, (
    <main>
      <h1>manifest-hook</h1>
      <form method="post" action="/login">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      {message && <p class="cell-refused" role="alert">{message}</p>}
    </main>
  ))
}

/** Renders a page that only says why there is nothing to see. */
export function renderClosedPage(message: string): string {
  return renderDocument('manifest-hook', undefined, <main><h1>manifest-hook</h1><p>{message}</p></main>)
}

function renderDocument(title: string, refreshSeconds: number | undefined, body: Child): string {
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refreshSeconds !== undefined && <meta http-equiv="refresh" content={String(refreshSeconds)} />}
        <title>{title}</title>
        <link rel="icon" href="data:," />
        <style dangerouslySetInnerHTML={{ __html: PAGE_STYLES }} />
      </head>
      <body>{body}</body>
    </html>
  )
  return `<!doctype html>${page.toString() as string}`
}

/** `2026-12-03 08:20:11 UTC (3 min ago)`. */
export function formatTime(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000)
  const age = seconds < 60 ? `${Math.max(0, seconds)} s ago` : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : seconds < 172_800 ? `${Math.floor(seconds / 3600)} h ago` : `${Math.floor(seconds / 86_400)} days ago`
  return `${iso.slice(0, 19).replace('T', ' ')} UTC (${age})`
}
