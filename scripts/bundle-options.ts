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
