/**
 * The Secrets Manager values the config names, fetched together and kept for a TTL, so that a
 * rotated secret takes effect within that time without a deploy. A failed fetch throws
 * SecretsUnavailableError (webhooks get 503, and their senders retry); no value is ever logged
 * or put in an error message, only the secret's id and the AWS error's name.
 */
import { AppError } from '../../errors.ts'

/** Secrets Manager could not give a secret the config needs (HTTP 503: try again later). */
export class SecretsUnavailableError extends AppError {
  readonly code = 'SECRETS_UNAVAILABLE' as const
  readonly temporary = true
}

export interface SecretsCache {
  /** The values of `ids` (id → SecretString): the same Map object until the TTL has passed. */
  get(ids: readonly string[]): Promise<ReadonlyMap<string, string>>
}

export interface SecretsCacheOptions {
  /** Fetches one secret's SecretString (GetSecretValue). */
  fetchSecret(id: string): Promise<string | undefined>
  ttlMs: number
  now: () => number
}

/** Creates the cache; concurrent calls share one fetch. */
export function createSecretsCache(options: SecretsCacheOptions): SecretsCache {
  let current: { values: Map<string, string>; fetchedAt: number; ids: string } | undefined
  let pending: Promise<Map<string, string>> | undefined
  const fetchAll = async (ids: readonly string[]) => {
    const fetched = await Promise.all(ids.map((id) => fetchOne(options, id)))
    const values = new Map(ids.map((id, i) => [id, fetched[i] as string]))
    current = { values, fetchedAt: options.now(), ids: ids.join('\n') }
    return values
  }
  return {
    async get(ids) {
      if (current && current.ids === ids.join('\n') && options.now() - current.fetchedAt < options.ttlMs) return current.values
      pending ??= fetchAll(ids).finally(() => (pending = undefined))
      return pending
    },
  }
}

async function fetchOne(options: SecretsCacheOptions, id: string): Promise<string> {
  let value: string | undefined
  try {
    value = await options.fetchSecret(id)
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error'
    throw new SecretsUnavailableError(`Secrets Manager: GetSecretValue of "${id}" failed (${name})`)
  }
  if (value === undefined) throw new SecretsUnavailableError(`Secrets Manager: "${id}" has no SecretString (binary secrets are not supported)`)
  return value
}
