// Bundles each runtime entry with esbuild: `node scripts/build.mjs [--quiet]`.
import { build } from 'esbuild'

const quiet = process.argv.includes('--quiet')
const common = {
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: quiet ? 'warning' : 'info',
}

const started = performance.now()
await Promise.all([
  // The server inlines its dependencies: one module to load instead of hundreds of files costs
  // about 10 MB less resident memory (measured by the bench's RSS rows).
  build({ ...common, entryPoints: { node: 'src/runtime/node.ts' } }),
  // The bench runs tools (autocannon) from node_modules as they are.
  build({ ...common, entryPoints: { bench: 'bench/bench.ts' }, packages: 'external' }),
])
if (!quiet) console.log(`built 2 bundles in ${Math.round(performance.now() - started)} ms`)
