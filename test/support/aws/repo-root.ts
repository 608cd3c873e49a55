// The repository root, found from a module's folder: test support runs from test/support/ and,
// bundled into dist/bench.mjs, from dist/.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The nearest folder at or above `from` holding a package.json. */
export function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`)
  }
}
