// The Lambda bundle's split (issue 14): the main chunk, what a cold start loads, stays under
// 150 KB, and neither it nor the chunks it imports statically hold what a Function URL webhook
// does not need (the AWS SDK, the work dispatcher, the registry client, /status, /reconcile and
// the status page): those load on first use.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build, type Metafile } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LAMBDA_BUNDLE_OPTIONS } from '../../../scripts/bundle-options.ts'
import { findStaticChunks } from '../../../scripts/static-chunks.ts'

const ROOT = resolve(import.meta.dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'mh-lambda-bundle-'))
let outputs: Metafile['outputs']
let entry: string

beforeAll(async () => {
  const result = await build({ ...LAMBDA_BUNDLE_OPTIONS, absWorkingDir: ROOT, outdir: dir, write: false, metafile: true, logLevel: 'error' })
  outputs = result.metafile.outputs
  entry = Object.keys(outputs).find((path) => path.endsWith('/index.mjs')) ?? ''
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('Lambda bundle', () => {
  it('keeps the main chunk under 150 KB', () => {
    expect(outputs[entry]?.bytes).toBeLessThanOrEqual(150 * 1024)
  })

  it('loads the SDK, the pipeline, the registry client and the status page only on first use', () => {
    const inputs = findStaticChunks(outputs, entry).flatMap((path) => Object.keys(outputs[path]?.inputs ?? {}))
    const lazy = [
      /^node_modules\/@aws-sdk\//,
      /^src\/pipeline\/(run-work-item|process-version|sweep|status|notify)\.ts$/,
      /^src\/registry\/(http-client|transport|blob-copy)\.ts$/,
      /^src\/status-page\/(status-page|status-view)\.ts$/,
      /^src\/state\/dynamodb-store\.ts$/,
    ]
    expect(inputs.filter((input) => lazy.some((pattern) => pattern.test(input)))).toEqual([])
    // The webhook path itself is there: the app, the sources and the ingestion.
    expect(inputs).toEqual(expect.arrayContaining(['src/app.ts', 'src/sources/source-table.ts', 'src/pipeline/ingest-delivery.ts']))
  })
})
