/** The status page's only stylesheet (inline: the page loads nothing else). Phone first. */
export const PAGE_STYLES = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #6e7781; --line: #d0d7de55 }
* { box-sizing: border-box }
body { margin: 0; padding: 12px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif }
header { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; justify-content: space-between }
h1 { font-size: 18px; margin: 0 } h2 { font-size: 16px; margin: 24px 0 4px; word-break: break-all }
.muted { color: var(--muted) } code { font: 12px ui-monospace, monospace }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch }
table { border-collapse: collapse; min-width: 100% } th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line) }
th { font-weight: 600; white-space: nowrap }
.cell-arrived { color: var(--ok) } .cell-refused { color: var(--bad) } .cell-pending, .cell-missing { color: var(--warn) }
.state { font-weight: 600; white-space: nowrap } .state-published { color: var(--ok) } .state-refused, .state-stale { color: var(--bad) } .state-waiting, .state-publishing, .state-partial { color: var(--warn) }
.errors li { color: var(--bad) } form.inline { display: inline }
input, button { font: inherit; padding: 6px 10px } label { display: block; margin: 8px 0 4px }
@media (max-width: 600px) { body { padding: 8px; font-size: 13px } th, td { padding: 3px 5px } }
`
