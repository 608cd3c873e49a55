// Bundles each runtime entry with esbuild: `node scripts/build.mjs [--quiet]`.
import { build } from 'esbuild'

const quiet = process.argv.includes('--quiet')
const entries = [
  { in: 'src/runtime/node.ts', out: 'node' },
  { in: 'bench/bench.ts', out: 'bench' },
]

const started = performance.now()
await build({
  entryPoints: entries,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  mainFields: ['module', 'main'],
  // npm ci installs the dependencies next to dist/ on Node; the Lambda and Workers bundles inline theirs.
  packages: 'external',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: quiet ? 'warning' : 'info',
})
if (!quiet) console.log(`built ${entries.length} bundles in ${Math.round(performance.now() - started)} ms`)
