// The Node server bundle stays one file: the modules app.ts imports on first use (the status
// page, /status, /reconcile) are inlined by a build without code splitting, not left as chunks.
import { resolve } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { NODE_BUNDLE_OPTIONS } from '../../../scripts/bundle-options.ts'

const ROOT = resolve(import.meta.dirname, '../../..')

describe('Node bundle', () => {
  it('is one module that imports no file of its own', async () => {
    const result = await build({ ...NODE_BUNDLE_OPTIONS, absWorkingDir: ROOT, entryPoints: ['src/runtime/node/main.ts'], outfile: 'dist/node.mjs', write: false, metafile: true, legalComments: 'none', logLevel: 'error' })
    expect(result.outputFiles.map((file) => file.path)).toEqual([resolve(ROOT, 'dist/node.mjs')])
    const output = result.metafile.outputs['dist/node.mjs']
    expect(output?.imports.filter((i) => !i.external)).toEqual([])
    expect(Object.keys(output?.inputs ?? {})).toEqual(expect.arrayContaining(['src/pipeline/sweep.ts', 'src/pipeline/status.ts', 'src/status-page/status-page.ts']))
  }, 60_000)
})
