/**
 * `manifest-hook serve`: the server in this process until SIGINT or SIGTERM.
 */
import { runServe, stopOnSignals } from '../serve.ts'
import { EXIT } from './cli-help.ts'
import type { CliIo } from './cli-io.ts'

/** Starts the server and leaves it running; exit code 0 once it listens. */
export async function runServeCommand(args: string[], io: CliIo): Promise<number> {
  stopOnSignals(await runServe(args, io))
  return EXIT.ok
}
