/**
 * Configuration on Workers: the config JSON from the MANIFEST_HOOK_CONFIG variable, and
 * `{"env": "NAME"}` secrets from the Worker's other string bindings (vars and `wrangler secret`s).
 * Parsed once per isolate and configuration (the text and the secrets it resolved with).
 */
import { parseConfig, type AppConfig } from '../../config.ts'
import { ConfigError } from '../../errors.ts'

let cached: { key: string; config: AppConfig } | undefined

/** The configuration of `env`; throws ConfigError naming what is missing or invalid. */
export function loadWorkerConfig(env: Record<string, unknown>): AppConfig {
  const text = env.MANIFEST_HOOK_CONFIG
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConfigError(['MANIFEST_HOOK_CONFIG is not set: put the configuration JSON in that variable (wrangler.jsonc "vars" or `wrangler secret put`)'])
  }
  const strings = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
  const key = JSON.stringify(strings)
  if (cached?.key === key) return cached.config
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`MANIFEST_HOOK_CONFIG: not valid JSON (${(error as Error).message})`])
  }
  const config = parseConfig(json, strings)
  cached = { key, config }
  return config
}
