/**
 * The config grammar of a secret and its resolution: a literal string, `{ "env": NAME }`, or
 * `{ "secretsManager": { "id": ID, "key": KEY } }` (AWS Secrets Manager; resolved only where the
 * runtime fetched those secrets beforehand: the Lambda runtime). Without `id`, the reference names
 * the secret in MANIFEST_HOOK_SECRET_ID (the one the CDK stack creates and lets the function read).
 * Lists of secrets allow rotation.
 */
import * as z from 'zod/mini'
import { Secret } from './secret.ts'

const secretsManagerRef = z.strictObject({ id: z.optional(z.string().check(z.minLength(1))), key: z.optional(z.string().check(z.minLength(1))) })

/** The environment variable naming the secret of references without an `id`. */
export const DEFAULT_SECRET_ID_VARIABLE = 'MANIFEST_HOOK_SECRET_ID'
// A blank secret would match a blank credential; values from elsewhere are checked when resolved.
const secretText = z.string().check(z.regex(/\S/, 'must not be empty or blank'))
const secretsManagerInput = z.strictObject({ secretsManager: secretsManagerRef })
export const secretInputSchema = z.union([secretText, z.strictObject({ env: z.string().check(z.minLength(1)) }), secretsManagerInput])
export const secretListSchema = z.union([secretInputSchema, z.array(secretInputSchema).check(z.minLength(1))])
export type SecretInput = z.infer<typeof secretInputSchema>
export type SecretListInput = z.infer<typeof secretListSchema>

/** Where secret references are looked up: the environment, and the Secrets Manager values the runtime fetched (id → SecretString). */
export interface SecretSources {
  env: Record<string, string | undefined>
  secretsManager?: ReadonlyMap<string, string>
}

/** Resolves one secret, or reports why not into `issues` (never with a secret value). */
export function resolveSecretInput(value: SecretInput, sources: SecretSources, path: string, issues: string[]): Secret | undefined {
  if (typeof value === 'string') return new Secret(value)
  if ('env' in value) {
    const found = Object.hasOwn(sources.env, value.env) ? sources.env[value.env] : undefined
    if (found?.trim()) return new Secret(found)
    issues.push(`${path}: environment variable ${value.env} is ${found === undefined ? 'not set' : 'blank'}`)
    return undefined
  }
  const { key } = value.secretsManager
  const id = value.secretsManager.id ?? defaultSecretId(sources.env)
  if (id === undefined) {
    issues.push(`${path}: names no Secrets Manager secret ("id"), and ${DEFAULT_SECRET_ID_VARIABLE} is not set`)
    return undefined
  }
  if (!sources.secretsManager) {
    issues.push(`${path}: Secrets Manager references are resolved only on AWS Lambda (use {"env": …} here)`)
    return undefined
  }
  const found = readSecretString(sources.secretsManager.get(id), key)
  if (found) return new Secret(found)
  issues.push(`${path}: Secrets Manager secret "${id}" ${key === undefined ? 'has no string value' : `has no string key "${key}"`}`)
  return undefined
}

/** Resolves a secret or a list of them (each list entry reported with its index). */
export function resolveSecretList(value: SecretListInput, sources: SecretSources, path: string, issues: string[]): Secret[] {
  const list = Array.isArray(value) ? value : [value]
  return list.flatMap((item, i) => resolveSecretInput(item, sources, Array.isArray(value) ? `${path}.${i}` : path, issues) ?? [])
}

// With a key, the SecretString is the JSON object the console's key/value editor writes.
function readSecretString(secretString: string | undefined, key: string | undefined): string | undefined {
  if (secretString === undefined || key === undefined) return secretString?.trim() ? secretString : undefined
  try {
    const value: unknown = (JSON.parse(secretString) as Record<string, unknown>)[key]
    return typeof value === 'string' && value.trim() !== '' ? value : undefined
  } catch {
    return undefined
  }
}

/** MANIFEST_HOOK_SECRET_ID, when set and not blank. */
export function defaultSecretId(env: Record<string, string | undefined>): string | undefined {
  const id = Object.hasOwn(env, DEFAULT_SECRET_ID_VARIABLE) ? env[DEFAULT_SECRET_ID_VARIABLE]?.trim() : undefined
  return id || undefined
}

/**
 * Every Secrets Manager secret id the raw config names, once each, in order of appearance; a
 * reference without `id` names `defaultId` (none: it is left to parseConfig to report).
 */
export function findSecretsManagerIds(input: unknown, defaultId?: string): string[] {
  const ids = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (typeof node !== 'object' || node === null) return
    const parsed = secretsManagerInput.safeParse(node)
    if (parsed.success) {
      const id = parsed.data.secretsManager.id ?? defaultId
      if (id !== undefined) ids.add(id)
    }
    else Object.values(node).forEach(visit)
  }
  visit(input)
  return [...ids]
}
