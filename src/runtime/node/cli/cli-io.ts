import { AppError } from '../../../errors.ts'

/**
 * What a CLI verb writes to and reads from: two text sinks, the environment and the working
 * directory, injected so that the verbs run in-process in tests. Colour follows the no-color.org
 * convention: `NO_COLOR` (any non-empty value) turns it off, `FORCE_COLOR` turns it on without a TTY.
 */

/** The process-facing side of one CLI run. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  /** Whether stdout is a terminal (colour is off otherwise, unless FORCE_COLOR says so). */
  isTty: boolean
}

/** Text styling that collapses to plain text when colour is off. */
export interface Style {
  bold(text: string): string
  dim(text: string): string
  green(text: string): string
  yellow(text: string): string
  red(text: string): string
}

/** Decides whether colour is on for this run (https://no-color.org/). */
export function isColorEnabled(io: Pick<CliIo, 'env' | 'isTty'>): boolean {
  if (io.env.NO_COLOR) return false
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true
  return io.isTty && io.env.TERM !== 'dumb'
}

/** Creates the styling functions for this run. */
export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text)
  return { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39) }
}

/** The real process's I/O. */
export function createProcessIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.env.INIT_CWD || process.cwd(),
    isTty: process.stdout.isTTY === true,
  }
}

/** A usage mistake (unknown verb or option, missing argument): exit code 2. */
export class UsageError extends AppError {
  readonly code = 'CLI_USAGE' as const
}

/** A verb ran and could not do its job (a server unreachable, a state file missing): exit code 1. */
export class CommandError extends AppError {
  readonly code = 'CLI_FAILED' as const
}
