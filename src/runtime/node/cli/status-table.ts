/**
 * Formats the status document (`GET /status`, pipeline/status.ts) as one table per image:
 * a row per version, a column per platform. Pure.
 */
import type { Style } from './cli-io.ts'

interface VersionView {
  version: string
  state: string
  expected: string[]
  missing?: string[]
  pending?: string[]
  refused?: { platform: string; reason: string }[]
  published?: { digest: string }
}

interface ImageView {
  image: string
  platforms: string[]
  tags: Record<string, { version: string }>
  versions: VersionView[]
  versionsOmitted?: number
}

/** Renders every image of a status document. */
export function formatStatusTable(status: { images: unknown[] }, style: Style): string {
  const images = status.images as ImageView[]
  if (images.length === 0) return 'no images configured\n'
  return images.map((image) => formatImage(image, style)).join('\n')
}

function formatImage(image: ImageView, style: Style): string {
  const tags = Object.entries(image.tags).map(([tag, pointer]) => `${tag} -> ${pointer.version}`)
  const title = `${style.bold(image.image)}${tags.length > 0 ? `  (${tags.join(', ')})` : ''}`
  if (image.versions.length === 0) return `${title}\n  no versions yet\n`
  const header = ['VERSION', 'STATE', ...image.platforms]
  const rows = image.versions.map((v) => [v.version, v.state, ...image.platforms.map((p) => cellOf(v, p))])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const pad = (cells: string[], paint: (cell: string, i: number) => string = (c) => c) =>
    `  ${cells.map((cell, i) => paint(cell.padEnd(widths[i] ?? 0), i)).join('  ').trimEnd()}`
  const lines = [title, pad(header, (c) => style.dim(c)), ...rows.map((r) => pad(r, (cell, i) => paint(cell, i, style)))]
  if (image.versionsOmitted) lines.push(style.dim(`  (${image.versionsOmitted} older versions not shown)`))
  return `${lines.join('\n')}\n`
}

/** ok: arrived and verified; pending: arrived, not resolved yet; refused; -: missing. */
function cellOf(version: VersionView, platform: string): string {
  if (!version.expected.includes(platform)) return ''
  if (version.refused?.some((r) => r.platform === platform)) return 'refused'
  if (version.missing?.includes(platform)) return '-'
  if (version.pending?.includes(platform)) return 'pending'
  return 'ok'
}

function paint(cell: string, column: number, style: Style): string {
  const word = cell.trim()
  if (column === 1) return word === 'published' ? style.green(cell) : word === 'refused' || word === 'stale' ? style.red(cell) : style.yellow(cell)
  if (word === 'ok') return style.green(cell)
  if (word === 'refused') return style.red(cell)
  return word === 'pending' ? style.yellow(cell) : cell
}
