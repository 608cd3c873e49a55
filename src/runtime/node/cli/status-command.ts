/**
 * `manifest-hook status [image] [--version V] [--url URL | --data FILE] [--json]`: the status
 * document from a running server or, without --url, built from the state file as the server would.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { NotFoundError } from '../../../errors.ts'
import { buildStatus, parseStatusQuery } from '../../../pipeline/status.ts'
import { createSqliteStore } from '../../../state/sqlite-store.ts'
import { EXIT } from './cli-help.ts'
import { createCliDeps, createCliLogger, createCliRegistry, loadCliConfig, resolveDataPath } from './cli-deps.ts'
import { CommandError, UsageError, type CliIo, type Style } from './cli-io.ts'
import { formatStatusTable } from './status-table.ts'

const OPTIONS = {
  url: { type: 'string' },
  config: { type: 'string' },
  data: { type: 'string' },
  version: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const

/** Prints the table (or JSON); exit 1 when the server or the state file cannot be read. */
export async function runStatusCommand(args: string[], io: CliIo, style: Style): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true })
  if (positionals.length > 1) throw new UsageError('status takes at most one image')
  const [image] = positionals
  const query = { ...(image ? { image } : {}), ...(values.version ? { version: values.version } : {}) }
  const status = values.url ? await fetchStatus(values.url, query, io) : await readStatus(io, style, values.config, values.data, query)
  if (image && status.images.length === 0) throw new NotFoundError(`no configured image has the target "${image}"`)
  io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatusTable(status, style))
  return EXIT.ok
}

async function fetchStatus(base: string, query: Record<string, string>, io: CliIo): Promise<{ images: unknown[] }> {
  const url = new URL('status', base.endsWith('/') ? base : `${base}/`)
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  const token = io.env.MANIFEST_HOOK_ADMIN_TOKEN
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }).catch((error: unknown) => {
    throw new CommandError(`cannot reach ${url.origin}: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)}`)
  })
  if (!response.ok) throw new CommandError(`GET ${url.pathname}${url.search} answered ${response.status}${response.status === 401 ? ' (set MANIFEST_HOOK_ADMIN_TOKEN)' : ''}: ${(await response.text()).slice(0, 200)}`)
  return (await response.json()) as { images: unknown[] }
}

async function readStatus(io: CliIo, style: Style, configPath: string | undefined, dataPath: string | undefined, query: Record<string, string>): Promise<{ images: unknown[] }> {
  const config = loadCliConfig(io, style, configPath)
  const path = resolveDataPath(io, dataPath)
  if (!existsSync(path)) throw new CommandError(`no state file at ${path} (pass --data FILE, or --url of a running server)`)
  const store = createSqliteStore(path)
  try {
    const log = createCliLogger(io, style)
    return await buildStatus(createCliDeps(config, store, createCliRegistry(config, log), log), parseStatusQuery(query))
  } finally {
    await store.close?.()
  }
}
