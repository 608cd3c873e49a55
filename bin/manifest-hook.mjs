#!/usr/bin/env node
// The `manifest-hook` command. Runs dist/cli.mjs (the esbuild bundle of src/runtime/node/cli/);
// in a checkout it first builds the bundle when it is missing or older than a file under src/, so
// `npx manifest-hook` works right after `npm ci`.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const bundle = join(root, 'dist', 'cli.mjs')

function newestSource(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

const sources = join(root, 'src')
if (existsSync(join(root, 'scripts', 'build.mjs')) && existsSync(sources)) {
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(sources)) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--quiet'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  }
}

// node:sqlite is still experimental on Node 22 and says so on every start; other warnings still print.
process.removeAllListeners('warning')
process.on('warning', (warning) => {
  if (warning.name !== 'ExperimentalWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`)
})
await import(bundle)
