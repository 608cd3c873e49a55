// `wrangler deploy --dry-run` on infra/cloudflare/wrangler.jsonc, offline: it bundles, the bundle
// stays under 100 KB gzipped and imports nothing from Node, and the config's compatibility date
// is one the pinned workerd knows.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWorkersBundle, WRANGLER_CONFIG, type WorkersBundle } from '../../../scripts/workers-bundle.ts'

const ROOT = resolve(import.meta.dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'mh-wrangler-'))
let bundle: WorkersBundle

beforeAll(async () => {
  bundle = await buildWorkersBundle(dir, ROOT)
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Full-line `//` comments only (wrangler.jsonc has no others).
function readWranglerConfig(): Record<string, any> {
  const text = readFileSync(join(ROOT, WRANGLER_CONFIG), 'utf8')
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''))
}

describe('wrangler deploy --dry-run', () => {
  it('bundles the Worker with its Durable Object binding and variables', () => {
    expect(bundle.output).toMatch(/env\.IMAGES \(ImageObject\)\s+Durable Object/)
    expect(bundle.output).toMatch(/env\.MANIFEST_HOOK_CONFIG .*Environment Variable/)
    expect(bundle.output).toMatch(/--dry-run: exiting now\./)
  })

  it('stays under 100 KB gzipped', () => {
    expect(bundle.gzipBytes).toBeLessThanOrEqual(100 * 1024)
  })

  it('imports nothing from Node: only cloudflare:workers', () => {
    const statics = [...bundle.source.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]+?from\s*)?["']([^"']+)["']/g)].map((m) => m[1])
    const dynamics = [...bundle.source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    expect([...new Set([...statics, ...dynamics])]).toEqual(['cloudflare:workers'])
    expect(bundle.source).not.toMatch(/["']node:[\w/]+["']|\brequire\(["']/)
  })

  it('declares the SQLite class migration, the cron and a compatibility date the pinned workerd supports', () => {
    const config = readWranglerConfig()
    expect(config.migrations).toEqual([{ tag: 'v1', new_sqlite_classes: ['ImageObject'] }])
    expect(config.durable_objects.bindings).toEqual([{ name: 'IMAGES', class_name: 'ImageObject' }])
    expect(config.triggers.crons).toEqual(['* * * * *'])
    const workerd = JSON.parse(readFileSync(join(ROOT, 'node_modules/workerd/package.json'), 'utf8')).version as string
    const [, date = ''] = /^1\.(\d{8})\./.exec(workerd) ?? []
    expect(config.compatibility_date.replaceAll('-', '') <= date).toBe(true)
  })
})
