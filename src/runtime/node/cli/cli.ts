/**
 * `manifest-hook <verb>`: dispatches to the verbs, prints help and the version, and turns every
 * outcome into a documented exit code (cli-help.ts). Verbs run in-process with injected I/O.
 */
import packageJson from '../../../../package.json' with { type: 'json' }
import { ConfigError, isAppError } from '../../../errors.ts'
import { MAIN_HELP, VERB_HELP, VERBS, EXIT, type Verb } from './cli-help.ts'
import { createStyle, isColorEnabled, UsageError, type CliIo, type Style } from './cli-io.ts'
import { runInitCommand } from './init-command.ts'
import { runPublishCommand } from './publish-command.ts'
import { runServeCommand } from './serve-command.ts'
import { runStatusCommand } from './status-command.ts'
import { runValidateCommand } from './validate-command.ts'

/** One verb: its arguments (after the verb), the I/O and styling; resolves to an exit code. */
export type Command = (args: string[], io: CliIo, style: Style) => Promise<number>

const COMMANDS: Record<Verb, Command> = {
  serve: runServeCommand,
  publish: runPublishCommand,
  status: runStatusCommand,
  validate: runValidateCommand,
  init: runInitCommand,
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const style = createStyle(isColorEnabled(io))
  const [first, ...rest] = argv
  if (first === '--version' || first === '-v') return print(io, `${packageJson.version}\n`)
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return print(io, MAIN_HELP)
  if (!isVerb(first)) return fail(io, style, new UsageError(`unknown verb "${first}" (one of ${VERBS.join(', ')}; see --help)`))
  if (rest.includes('--help') || rest.includes('-h')) return print(io, VERB_HELP[first])
  try {
    return await COMMANDS[first](rest, io, style)
  } catch (error) {
    return fail(io, style, error, first)
  }
}

function isVerb(text: string): text is Verb {
  return (VERBS as readonly string[]).includes(text)
}

function print(io: CliIo, text: string): number {
  io.stdout(text)
  return EXIT.ok
}

// node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options.
function isParseArgsError(error: unknown): error is Error {
  return error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')
}

function fail(io: CliIo, style: Style, error: unknown, verb?: Verb): number {
  const usage = error instanceof UsageError || isParseArgsError(error)
  const message = error instanceof ConfigError
    ? `invalid configuration:\n${error.issues.map((issue) => `  ${issue}`).join('\n')}`
    : error instanceof Error ? error.message : String(error)
  const hint = usage ? `\n${style.dim(`see: manifest-hook ${verb ?? ''}${verb ? ' ' : ''}--help`)}` : ''
  io.stderr(`${style.red('error')}: ${message}${hint}\n`)
  if (!usage && !isAppError(error) && error instanceof Error && io.env.MANIFEST_HOOK_DEBUG) io.stderr(`${error.stack}\n`)
  return usage ? EXIT.usage : EXIT.failure
}
