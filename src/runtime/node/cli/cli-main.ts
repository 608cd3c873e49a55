/**
 * The `manifest-hook` executable's module (esbuild entry of dist/cli.mjs, loaded by
 * bin/manifest-hook.mjs): runs the CLI and sets the exit code; `serve` keeps the process alive.
 */
import { runCli } from './cli.ts'
import { createProcessIo } from './cli-io.ts'

process.exitCode = await runCli(process.argv.slice(2), createProcessIo())
