// esbuild options of the Node server bundle, shared by scripts/build.mjs (dist/node.mjs) and the
// tests that run the server as its own process (test/support/node-process.ts).
import type { BuildOptions } from 'esbuild'

export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // Whitespace and comments out, names kept (stack traces stay readable; the source map maps back).
  // V8 keeps the whole bundle source on the heap, and as two bytes per character if a single
  // character is beyond Latin-1 (comments in dependencies had some): 3.5 MB before, 1.3 MB now.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
} satisfies BuildOptions

// The Lambda bundle (dist/lambda/index.mjs, handler `index.handler`): ESM split into chunks, so
// that each AWS SDK client, imported on first use, lands in its own chunk and the main chunk
// (what a cold start loads) stays small. With --splitting the SDK must resolve through its ESM
// build (`module` before `main`): through CommonJS a lazy chunk comes back without its named
// exports (shared/research/toolchain.md §6).
export const LAMBDA_BUNDLE_OPTIONS = {
  ...NODE_BUNDLE_OPTIONS,
  entryPoints: { index: 'src/runtime/lambda/index.ts' },
  splitting: true,
  outdir: 'dist/lambda',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  // Short local names too: the bundle is loaded by every cold start. keepNames keeps class and
  // function names (error names come from new.target.name); the source map maps the rest back.
  minifyIdentifiers: true,
  keepNames: true,
} satisfies BuildOptions
