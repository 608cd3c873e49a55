/**
 * Where the Lambda runtime finds its configuration: MANIFEST_HOOK_CONFIG holds the config JSON
 * itself (it starts with `{`) or names a file in the deployed bundle; unset, the bundle's
 * `manifest-hook.json`. The DynamoDB table is MANIFEST_HOOK_TABLE.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { ConfigError } from '../../errors.ts'

export const DEFAULT_CONFIG_FILE = 'manifest-hook.json'

/** The raw config JSON (secrets not yet resolved); throws ConfigError. */
export function readLambdaConfig(env: Record<string, string | undefined>, bundleDir: string): unknown {
  const setting = env.MANIFEST_HOOK_CONFIG?.trim()
  if (setting?.startsWith('{')) return parseJson(setting, 'MANIFEST_HOOK_CONFIG')
  const path = setting ? (isAbsolute(setting) ? setting : join(bundleDir, setting)) : join(bundleDir, DEFAULT_CONFIG_FILE)
  if (!existsSync(path)) throw new ConfigError([`no configuration: set MANIFEST_HOOK_CONFIG to the config JSON or to a file in the bundle (${path} does not exist)`])
  return parseJson(readFileSync(path, 'utf8'), path)
}

/** The table of the DynamoDB store; throws ConfigError when unset. */
export function readTableName(env: Record<string, string | undefined>): string {
  const table = env.MANIFEST_HOOK_TABLE
  if (!table) throw new ConfigError(['MANIFEST_HOOK_TABLE is not set (the DynamoDB table of the state)'])
  return table
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`${where}: not valid JSON (${(error as Error).message})`])
  }
}
