/**
 * `serve` (what `npm start` and `manifest-hook serve` run): reads `--config FILE` (or
 * MANIFEST_HOOK_CONFIG, or ./manifest-hook.json), `--port N`, `--host H`, `--data FILE`,
 * `--log-level L`; starts without a config file too, printing where it goes and the webhook URLs.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { parseConfig, type AppConfig } from '../../config.ts'
import { ConfigError } from '../../errors.ts'
import { createJsonLogger, type LogLevel } from '../../log.ts'
import { SOURCES } from '../../sources/source-table.ts'
import type { CliIo } from './cli/cli-io.ts'
import { findConfigPath, loadConfigFile } from './config-file.ts'
import { applyAmbientCredentials } from './docker-credentials.ts'
import { startNodeServer, type NodeServer } from './node-server.ts'

/** The state file used when neither `--data` nor MANIFEST_HOOK_DATA says otherwise. */
export const DEFAULT_DATA = '.manifest-hook/state.db'

export const SERVE_OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'log-level': { type: 'string' },
} as const

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error']

/** Starts the server from command-line arguments; it runs until `close()` (or SIGINT/SIGTERM). */
export async function runServe(args: string[], io: CliIo): Promise<NodeServer> {
  const { values: options } = parseArgs({ args, options: SERVE_OPTIONS, strict: true })
  const { path: configPath, explicit } = findConfigPath(io.cwd, options.config, io.env)
  const loaded = loadConfigFile(configPath, explicit, io.env)
  const { config, found } = applyAmbientCredentials(loaded ?? parseConfig({}, io.env), io.env)
  const port = options.port === undefined ? undefined : Number(options.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new ConfigError([`--port: "${options.port}" is not a port number`])
  const level = options['log-level'] ?? 'info'
  if (!LOG_LEVELS.includes(level)) throw new ConfigError([`--log-level: "${level}" is not one of ${LOG_LEVELS.join(', ')}`])
  const log = createJsonLogger((line) => io.stdout(`${line}\n`), level as LogLevel)
  for (const { host, from } of found) log.info('using a registry login the config does not give', { registry: host, from })
  const dataPath = resolve(io.cwd, options.data ?? (io.env.MANIFEST_HOOK_DATA || DEFAULT_DATA))
  const server = await startNodeServer({ config, dataPath, log, ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) })
  io.stdout(formatBanner(server.url, configPath, loaded))
  return server
}

function formatBanner(url: string, configPath: string, config: AppConfig | undefined): string {
  const lines = [`manifest-hook listening on ${url}`]
  if (!config) {
    lines.push(`no config file at ${configPath}: running with no images.`)
    lines.push('write one there (or pass --config FILE; `manifest-hook init` writes a starter); see docs/configuration.md.')
  } else {
    lines.push(`config: ${configPath} (${config.images.length} image(s))`)
  }
  lines.push('webhook URLs:')
  for (const [id, entry] of Object.entries(SOURCES)) {
    const configured = config && entry.options(config) ? '' : '  (not configured)'
    lines.push(`  ${id.padEnd(13)} POST ${url}/webhooks/${id}${entry.secretInPath ? '/<secret>' : ''}${configured}`)
  }
  lines.push(`status: GET ${url}/status   health: GET ${url}/healthz`)
  return `${lines.join('\n')}\n`
}

/** Closes the server on SIGINT / SIGTERM, then exits. */
export function stopOnSignals(server: NodeServer): void {
  const stop = async () => {
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
