/**
 * Files shipped beside the code (the JSON Schema), found from this module's location: the CLI runs
 * from src/ under tests and from dist/cli.mjs otherwise, so it walks up to our package.json.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder holding manifest-hook's package.json, or undefined. */
export function findPackageRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'manifest-hook') return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** Path of schema/config.schema.json, when it exists. */
export function findSchemaPath(): string | undefined {
  const root = findPackageRoot()
  const path = root && join(root, 'schema', 'config.schema.json')
  return path && existsSync(path) ? path : undefined
}
