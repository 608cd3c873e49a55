/**
 * `npm start`: the Node entry point. Reads `--config FILE` (or MANIFEST_HOOK_CONFIG, or
 * ./manifest-hook.json), `--port N`, `--host H`, `--data FILE`; starts without a config file too,
 * printing where it goes and the webhook URLs.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { parseConfig, type AppConfig } from '../../config.ts'
import { ConfigError } from '../../errors.ts'
import { createJsonLogger, type LogLevel } from '../../log.ts'
import { SOURCES } from '../../sources/source-table.ts'
import { startNodeServer } from './node-server.ts'

const DEFAULT_CONFIG = 'manifest-hook.json'
const DEFAULT_DATA = '.manifest-hook/state.db'

function readOptions() {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'log-level': { type: 'string' },
    },
  })
  return values
}

function loadConfig(path: string, explicit: boolean): AppConfig | undefined {
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError([`config file ${path} does not exist`])
    return undefined
  }
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError([`${path}: not valid JSON (${(error as Error).message})`])
  }
  return parseConfig(json, process.env)
}

function printBanner(url: string, configPath: string, config: AppConfig | undefined): void {
  const lines = [`manifest-hook listening on ${url}`]
  if (!config) {
    lines.push(`no config file at ${configPath}: running with no images.`)
    lines.push(`write one there (or pass --config FILE); see README.md "Configuration".`)
  } else {
    lines.push(`config: ${configPath} (${config.images.length} image(s))`)
  }
  lines.push('webhook URLs:')
  for (const [id, entry] of Object.entries(SOURCES)) {
    const configured = config && entry.options(config) ? '' : '  (not configured)'
    lines.push(`  ${id.padEnd(13)} POST ${url}/webhooks/${id}${entry.secretInPath ? '/<secret>' : ''}${configured}`)
  }
  lines.push(`status: GET ${url}/status   health: GET ${url}/healthz`)
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function main(): Promise<void> {
  const options = readOptions()
  // `npm start` runs in the package folder; paths are meant relative to where the user typed it.
  const base = process.env.INIT_CWD || process.cwd()
  const explicitConfig = options.config ?? (process.env.MANIFEST_HOOK_CONFIG || undefined)
  const configPath = resolve(base, explicitConfig ?? DEFAULT_CONFIG)
  const loaded = loadConfig(configPath, explicitConfig !== undefined)
  const config = loaded ?? parseConfig({}, process.env)
  const port = options.port === undefined ? undefined : Number(options.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new ConfigError([`--port: "${options.port}" is not a port number`])
  const log = createJsonLogger((line) => process.stdout.write(`${line}\n`), (options['log-level'] ?? 'info') as LogLevel)
  const dataPath = resolve(base, options.data ?? (process.env.MANIFEST_HOOK_DATA || DEFAULT_DATA))
  const server = await startNodeServer({ config, dataPath, log, ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) })
  printBanner(server.url, configPath, loaded)
  const stop = async () => {
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`manifest-hook: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
