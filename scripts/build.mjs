// Bundles each runtime entry with esbuild: `node scripts/build.mjs [--quiet]`.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { build } from 'esbuild'
import { LAMBDA_BUNDLE_OPTIONS, NODE_BUNDLE_OPTIONS } from './bundle-options.ts'

const quiet = process.argv.includes('--quiet')
const common = {
  ...NODE_BUNDLE_OPTIONS,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  sourcemap: true,
  logLevel: quiet ? 'warning' : 'info',
}

const started = performance.now()
// Chunk names carry content hashes: stale chunks of an earlier build would be deployed too.
rmSync('dist/lambda', { recursive: true, force: true })
const [, , , lambda] = await Promise.all([
  // The server inlines its dependencies: one module to load instead of hundreds of files costs
  // about 10 MB less resident memory (measured by the bench's RSS rows).
  build({ ...common, entryPoints: { node: 'src/runtime/node/main.ts' } }),
  // The `manifest-hook` CLI (bin/manifest-hook.mjs loads it): the server and the one-shot verbs.
  build({ ...common, entryPoints: { cli: 'src/runtime/node/cli/cli-main.ts' } }),
  // The bench runs tools (autocannon) from node_modules as they are.
  build({ ...common, entryPoints: { bench: 'bench/bench.ts' }, packages: 'external' }),
  // The Lambda function's code directory (the CDK app deploys dist/lambda/ as it is).
  build({ ...LAMBDA_BUNDLE_OPTIONS, sourcemap: true, metafile: true, logLevel: common.logLevel }),
])
// Beside dist/lambda/, not in it (the folder is the function's code): the bench reads chunk sizes from it.
writeFileSync('dist/lambda-meta.json', JSON.stringify(lambda.metafile))
assertOneByteSource('dist/node.mjs')
assertOneByteSource('dist/cli.mjs')
if (!quiet) console.log(`built 4 bundles in ${Math.round(performance.now() - started)} ms`)

function assertOneByteSource(path) {
  const wide = /[^\u0000-\u00ff]/.exec(readFileSync(path, 'utf8'))
  if (wide) throw new Error(`${path} has a character beyond Latin-1 (${JSON.stringify(wide[0])} at ${wide.index}): V8 would hold the source as two bytes per character`)
}
