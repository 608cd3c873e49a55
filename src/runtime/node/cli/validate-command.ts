/**
 * `manifest-hook validate [config]`: every problem of a config file with its path, exit 1; or a
 * one-line summary (and the warnings the server would log), exit 0.
 */
import { parseArgs } from 'node:util'
import { parseConfig } from '../../../config.ts'
import { ConfigError } from '../../../errors.ts'
import { findConfigPath, readConfigFile } from '../config-file.ts'
import { EXIT } from './cli-help.ts'
import { UsageError, type CliIo, type Style } from './cli-io.ts'

/** Validates the file named by the argument (or the default config). */
export async function runValidateCommand(args: string[], io: CliIo, style: Style): Promise<number> {
  const { positionals, values } = parseArgs({ args, options: { config: { type: 'string' } }, allowPositionals: true })
  if (positionals.length > 1) throw new UsageError(`validate takes one config file, got ${positionals.length}`)
  const { path } = findConfigPath(io.cwd, positionals[0] ?? values.config, io.env)
  try {
    const config = parseConfig(readConfigFile(path), io.env)
    const sources = Object.keys(config.sources)
    io.stdout(`${style.green('valid')}: ${path}: ${config.images.length} image(s), ${Object.keys(config.registries).length} registr${Object.keys(config.registries).length === 1 ? 'y' : 'ies'}, sources: ${sources.join(', ') || 'none'}\n`)
    for (const warning of config.warnings) io.stdout(`${style.yellow('warning')}: ${warning}\n`)
    return EXIT.ok
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    io.stderr(`${style.red('invalid')}: ${path} (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'})\n`)
    for (const issue of error.issues) io.stderr(`  ${issue}\n`)
    return EXIT.failure
  }
}
