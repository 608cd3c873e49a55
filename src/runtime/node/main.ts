/**
 * `npm start`: the Node entry point (dist/node.mjs); see serve.ts for its options.
 */
import { createProcessIo } from './cli/cli-io.ts'
import { runServe, stopOnSignals } from './serve.ts'

runServe(process.argv.slice(2), createProcessIo()).then(stopOnSignals, (error: unknown) => {
  process.stderr.write(`manifest-hook: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
