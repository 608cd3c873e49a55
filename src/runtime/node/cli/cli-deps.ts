/**
 * What the one-shot verbs (publish, status) run the pipeline on: the config from its file, the
 * state file, the same registry client as the server, and a logger that prints warnings and
 * errors as readable lines on stderr.
 */
import { resolve } from 'node:path'
import type { AppConfig } from '../../../config.ts'
import { buildCatalog } from '../../../core/catalog.ts'
import type { Deps } from '../../../deps.ts'
import { ConfigError } from '../../../errors.ts'
import { redactFields, type LogFields, type Logger } from '../../../log.ts'
import { runWorkItem } from '../../../pipeline/run-work-item.ts'
import { createRegistryClient } from '../../../registry/http-client.ts'
import type { RegistryClient } from '../../../registry/registry-client.ts'
import type { StateStore } from '../../../state/store.ts'
import { findConfigPath, loadConfigFile } from '../config-file.ts'
import { applyAmbientCredentials } from '../docker-credentials.ts'
import { sha256Digest } from '../node-server.ts'
import { DEFAULT_DATA } from '../serve.ts'
import { createUndiciFetch } from '../undici-fetch.ts'
import type { CliIo, Style } from './cli-io.ts'

/**
 * Loads the config a verb needs (it must exist: a one-shot verb has nothing to do without images),
 * with docker / podman logins for registries it gives no credentials (named on stderr).
 */
export function loadCliConfig(io: CliIo, style: Style, explicit: string | undefined): AppConfig {
  const { path } = findConfigPath(io.cwd, explicit, io.env)
  const loaded = loadConfigFile(path, true, io.env)
  if (!loaded) throw new ConfigError([`config file ${path} does not exist`])
  const { config, found } = applyAmbientCredentials(loaded, io.env)
  for (const { host, from } of found) io.stderr(style.dim(`login for ${host}: ${from}\n`))
  return config
}

/** The state file: `--data`, else MANIFEST_HOOK_DATA, else the server's default. */
export function resolveDataPath(io: CliIo, explicit: string | undefined): string {
  return resolve(io.cwd, explicit ?? (io.env.MANIFEST_HOOK_DATA || DEFAULT_DATA))
}

/** Prints warn and error log entries as `warning: message (key: value, …)` on stderr. */
export function createCliLogger(io: CliIo, style: Style): Logger {
  const line = (label: string) => (message: string, fields: LogFields = {}) => {
    const details = Object.entries(redactFields(fields)).map(([key, value]) => `${key}: ${formatValue(value)}`)
    io.stderr(`${label}: ${message}${details.length > 0 ? ` (${details.join(', ')})` : ''}\n`)
  }
  return { debug() {}, info() {}, warn: line(style.yellow('warning')), error: line(style.red('error')) }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && 'message' in value) return String(value.message)
  return JSON.stringify(value)
}

/** The registry client the server would use for this config. */
export function createCliRegistry(config: AppConfig, log: Logger): RegistryClient {
  return createRegistryClient({ fetch: createUndiciFetch(), registries: config.registries, log, computeDigest: sha256Digest })
}

/** Deps for one-shot work: work items run at once (the pipeline is awaited), the clock is the host's. */
export function createCliDeps(config: AppConfig, store: StateStore, registry: RegistryClient, log: Logger): Deps {
  const deps: Deps = {
    config,
    catalog: buildCatalog(config.images),
    store,
    registry,
    log,
    now: () => new Date(),
    work: { enqueue: (item) => runWorkItem(deps, item).catch((error: unknown) => log.error('work item failed', { error })) },
    budget: { deadline: Number.POSITIVE_INFINITY, requests: Number.POSITIVE_INFINITY },
  }
  return deps
}
