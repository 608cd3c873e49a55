// Bundles each runtime entry with esbuild: `node scripts/build.mjs [--quiet]`.
import { readFileSync } from 'node:fs'
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
  // Whitespace and comments out, names kept (stack traces stay readable; the source map maps back).
  // V8 keeps the whole bundle source on the heap, and as two bytes per character if a single
  // character is beyond Latin-1 (comments in dependencies had some): 3.5 MB before, 1.3 MB now.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
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
assertOneByteSource('dist/node.mjs')
if (!quiet) console.log(`built 2 bundles in ${Math.round(performance.now() - started)} ms`)

function assertOneByteSource(path) {
  const wide = /[^\u0000-\u00ff]/.exec(readFileSync(path, 'utf8'))
  if (wide) throw new Error(`${path} has a character beyond Latin-1 (${JSON.stringify(wide[0])} at ${wide.index}): V8 would hold the source as two bytes per character`)
}
