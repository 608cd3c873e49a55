// Import rules per folder (the go-containerregistry depcheck idea): the pure core stays pure,
// adapters never leak inward, and platform modules stay in the files allowed to use them.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve(import.meta.dirname, '../src')

interface Import {
  file: string
  specifier: string
  target: string
  typeOnly: boolean
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  )
}

function readImports(file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const found = [...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)]
  return found.map((match) => {
    const specifier = match[3] ?? match[1] ?? ''
    const target = specifier.startsWith('.') ? relative(SRC, resolve(dirname(file), specifier)) : specifier
    return { file: relative(SRC, file), specifier, target, typeOnly: Boolean(match[2]) }
  })
}

const imports = listFiles(SRC).flatMap(readImports)
const within = (prefix: string) => imports.filter((i) => i.file.startsWith(prefix))
const offenders = (list: Import[], allowed: (i: Import) => boolean) => list.filter((i) => !allowed(i)).map((i) => `${i.file} -> ${i.specifier}`)
const isLocal = (i: Import, ...prefixes: string[]) => prefixes.some((p) => i.target === p || i.target.startsWith(p))
// Web-standard modules shared by every layer.
const SHARED = ['errors.ts', 'secret.ts', 'secret-input.ts', 'log.ts']

describe('import boundaries', () => {
  it('finds the source files and their imports', () => {
    expect(imports.length).toBeGreaterThan(50)
    expect(imports.some((i) => i.file === 'core/catalog.ts' && i.target === 'core/naming.ts')).toBe(true)
  })

  it('core/ imports only core/ and zod (no I/O, no clock, no node:*)', () => {
    expect(offenders(within('core/'), (i) => isLocal(i, 'core/') || i.specifier === 'zod/mini' || i.specifier === 'zod/locales')).toEqual([])
  })

  it('sources/ imports only core/, sources/, shared modules, config types and zod', () => {
    expect(offenders(within('sources/'), (i) => isLocal(i, 'core/', 'sources/', ...SHARED) || i.specifier === 'zod/mini' || (i.target === 'config.ts' && i.typeOnly))).toEqual([])
  })

  it('registry/ uses web standards only: no state/, runtime/, pipeline, hono or node:*', () => {
    expect(offenders(within('registry/'), (i) => isLocal(i, 'core/', 'registry/', ...SHARED) || (i.target === 'config.ts' && i.typeOnly))).toEqual([])
  })

  // Node-only modules and globals: test/runtime-boundaries.test.ts (read with the TypeScript compiler API).

  it('prom-client appears only in runtime/node/ (elsewhere metrics go through the port in metrics.ts)', () => {
    const prom = imports.filter((i) => i.specifier === 'prom-client')
    expect(prom.map((i) => i.file)).toEqual(['runtime/node/metrics.ts'])
  })

  it('hono appears only in app.ts, status-page/ (routes and hono/html) and runtime/', () => {
    const hono = imports.filter((i) => i.specifier === 'hono' || i.specifier.startsWith('hono/'))
    expect(offenders(hono, (i) => i.file === 'app.ts' || i.file.startsWith('status-page/') || i.file.startsWith('runtime/'))).toEqual([])
  })

  it('nothing imports runtime/, and platform-bound stores are imported only by runtime/', () => {
    expect(offenders(imports, (i) => !isLocal(i, 'runtime/') || i.file.startsWith('runtime/'))).toEqual([])
    expect(offenders(imports, (i) => i.target !== 'state/sqlite-store.ts' || i.file.startsWith('runtime/'))).toEqual([])
  })

  it('runtime/workers/ uses nothing Node-only: no node:*, undici, @hono/node-server or runtime/node/', () => {
    const nodeOnly = (i: Import) => i.specifier.startsWith('node:') || i.specifier === 'undici' || i.specifier.startsWith('@hono/node-server') || isLocal(i, 'runtime/node/', 'state/sqlite-store.ts')
    expect(within('runtime/workers/').filter(nodeOnly).map((i) => `${i.file} -> ${i.specifier}`)).toEqual([])
  })

  it('state/ and runtime/ have no barrel files', () => {
    const barrels = listFiles(SRC).map((f) => relative(SRC, f)).filter((f) => /^(state|runtime)\/index\.ts$/.test(f))
    expect(barrels).toEqual([])
  })
})
