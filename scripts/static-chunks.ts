// Which chunks of a split esbuild bundle load with its entry: the entry and, transitively, every
// chunk it imports statically (`import` statements, not `import()`). Read from the metafile by
// the bench's Lambda sizes and the Lambda bundle test.
import type { Metafile } from 'esbuild'

/** The output paths loaded with `entry`, the entry first. */
export function findStaticChunks(outputs: Metafile['outputs'], entry: string): string[] {
  const loaded = new Set<string>()
  const visit = (path: string) => {
    if (loaded.has(path) || !outputs[path]) return
    loaded.add(path)
    for (const next of outputs[path].imports) if (next.kind === 'import-statement') visit(next.path)
  }
  visit(entry)
  return [...loaded]
}
