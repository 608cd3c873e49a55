/**
 * Reading the configuration file on Node: where it is looked for, and JSON or YAML parsing with
 * every problem reported against the file's name (validation itself is `parseConfig`, pure).
 */
import { existsSync, readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { parseConfig, type AppConfig } from '../../config.ts'
import { ConfigError } from '../../errors.ts'

/** Files read as YAML; any other name is read as JSON. */
export const YAML_EXTENSIONS = ['.yaml', '.yml']

/** The file names looked for in the working directory when no path is given, in order. */
export const DEFAULT_CONFIG_NAMES = ['manifest-hook.json', 'manifest-hook.yaml', 'manifest-hook.yml']

/** Where the config is: `--config`, else MANIFEST_HOOK_CONFIG, else the first default name present. */
export function findConfigPath(base: string, explicit: string | undefined, env: Record<string, string | undefined>): { path: string; explicit: boolean } {
  const given = explicit ?? (env.MANIFEST_HOOK_CONFIG || undefined)
  if (given !== undefined) return { path: resolve(base, given), explicit: true }
  const found = DEFAULT_CONFIG_NAMES.map((name) => resolve(base, name)).find((path) => existsSync(path))
  return { path: found ?? resolve(base, DEFAULT_CONFIG_NAMES[0] as string), explicit: false }
}

/** Reads and parses the file's text into plain data; throws ConfigError naming the file. */
export function readConfigFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new ConfigError([missing ? `config file ${path} does not exist` : `${path}: ${(error as Error).message}`])
  }
  return parseConfigText(text, path)
}

/** Parses config text: YAML for `.yaml` / `.yml` files, JSON otherwise. */
export function parseConfigText(text: string, path: string): unknown {
  if (YAML_EXTENSIONS.includes(extname(path).toLowerCase())) return parseYaml(text, path)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`${path}: not valid JSON (${(error as Error).message})`])
  }
}

/** Reads and validates the file; undefined when it is absent and was not asked for explicitly. */
export function loadConfigFile(path: string, explicit: boolean, env: Record<string, string | undefined>): AppConfig | undefined {
  if (!explicit && !existsSync(path)) return undefined
  return parseConfig(readConfigFile(path), env)
}


// YAML 1.2 core schema (the yaml package's default): `on`/`yes` stay strings, as in JSON; a file
// with several documents or duplicate keys is an error, not a silent pick.
function parseYaml(text: string, path: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true })
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((error) => `${path}: not valid YAML (${error.message.split('\n')[0]?.replace(/:$/, '')})`))
  }
  return document.toJS() ?? {}
}
