// The Worker bundle exactly as `npm run deploy:cloudflare` would upload it: `wrangler deploy
// --dry-run --outdir DIR` (offline). Used by the deploy test and by `npm run bench`.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'

export const WRANGLER_CONFIG = 'infra/cloudflare/wrangler.jsonc'
// Cloudflare's limit on startup (global scope evaluation): https://developers.cloudflare.com/workers/platform/limits/#worker-startup-time
export const STARTUP_LIMIT_MS = 1_000

/** What the dry run produced. */
export interface WorkersBundle {
  file: string
  source: string
  bytes: number
  gzipBytes: number
  /** wrangler's own output (the bindings table, "Total Upload: … / gzip: …"). */
  output: string
}

/** Runs the dry-run deploy into `outdir` (from the package root `root`). */
export function buildWorkersBundle(outdir: string, root = process.cwd()): Promise<WorkersBundle> {
  const wrangler = resolve(root, 'node_modules/wrangler/bin/wrangler.js')
  const args = [wrangler, 'deploy', '--dry-run', '--outdir', outdir, '--config', resolve(root, WRANGLER_CONFIG)]
  return new Promise((done, fail) => {
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }
    execFile(process.execPath, args, { cwd: root, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return fail(new Error(`wrangler deploy --dry-run failed: ${stderr || stdout}`))
      const file = join(outdir, 'worker.js')
      const source = readFileSync(file, 'utf8')
      const bytes = Buffer.byteLength(source)
      done({ file, source, bytes, gzipBytes: gzipSync(source, { level: 9 }).byteLength, output: `${stdout}${stderr}` })
    })
  })
}
