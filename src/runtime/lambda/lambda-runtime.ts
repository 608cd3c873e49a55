/**
 * The Lambda composition root: configuration from MANIFEST_HOOK_CONFIG with its Secrets Manager
 * references fetched (cached for a TTL; a rotation rebuilds what depends on the values), the
 * DynamoDB store and the registry client on the global fetch with ECR credentials (each loaded on
 * first use, from its own chunk), work handed on by async self-invocation, and a budget from the
 * invocation's remaining time.
 */
import { parseConfig, type AppConfig } from '../../config.ts'
import { buildCatalog } from '../../core/catalog.ts'
import type { Deps } from '../../deps.ts'
import { createJsonLogger, type Logger, type LogLevel } from '../../log.ts'
import { defaultSecretId, findSecretsManagerIds } from '../../secret-input.ts'
import { getEcrToken, getSecretString, loadDynamoDbClient } from './aws-clients.ts'
import { createEcrCredentials } from './ecr-credentials.ts'
import { createLazyRegistry } from './lazy-registry.ts'
import { createLazyStore } from './lazy-store.ts'
import { readLambdaConfig, readTableName } from './lambda-config.ts'
import { createLambdaWork, invokeSelf } from './lambda-work.ts'
import { createSecretsCache } from './secrets-cache.ts'

export interface LambdaRuntimeOptions {
  env: Record<string, string | undefined>
  /** Where the bundle lies (a config file named by MANIFEST_HOOK_CONFIG is looked up there). */
  bundleDir: string
  log?: Logger
}

/** What one invocation runs with. */
export interface InvocationScope {
  /** How deep in a hand-off chain this invocation is. */
  hop: number
  /** context.getRemainingTimeInMillis() at the start. */
  remainingMs: number
}

export interface LambdaRuntime {
  log: Logger
  /** The deps of one invocation; throws SecretsUnavailableError or ConfigError. */
  prepare(scope: InvocationScope): Promise<Deps>
}

// Rotation takes effect within this long (MANIFEST_HOOK_SECRET_TTL_SECONDS overrides it).
const DEFAULT_SECRET_TTL_SECONDS = 300
// Kept free at the end of an invocation: the hand-off of what is left, and the runtime's own exit.
const RESERVED_MS = 10_000
// Registry requests one invocation may start (Lambda has no subrequest limit; time bounds it).
const REQUESTS_PER_INVOCATION = 1_000

interface Built {
  fingerprint: string
  config: AppConfig
  deps: Omit<Deps, 'work' | 'budget'>
}

/** Creates the runtime; nothing is read until the first invocation. */
export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const { env } = options
  const log = options.log ?? createJsonLogger((line) => process.stdout.write(`${line}\n`), (env.MANIFEST_HOOK_LOG_LEVEL ?? 'info') as LogLevel)
  const ttlSeconds = Number(env.MANIFEST_HOOK_SECRET_TTL_SECONDS ?? DEFAULT_SECRET_TTL_SECONDS)
  const secrets = createSecretsCache({ fetchSecret: getSecretString, ttlMs: ttlSeconds * 1000, now: Date.now })
  const credentials = createEcrCredentials({ getToken: getEcrToken, now: Date.now })
  const store = createLazyStore(async () => {
    const [{ createDynamoDbStore }, client] = await Promise.all([import('../../state/dynamodb-store.ts'), loadDynamoDbClient()])
    return createDynamoDbStore({ client, table: readTableName(env) })
  })
  let raw: { value: unknown } | undefined
  let built: Built | undefined
  const build = async (): Promise<Built> => {
    raw ??= { value: readLambdaConfig(env, options.bundleDir) }
    const ids = findSecretsManagerIds(raw.value, defaultSecretId(env))
    const values = ids.length > 0 ? await secrets.get(ids) : undefined
    // Rebuilt only when a value changed: the registry client's token caches survive a refetch.
    const fingerprint = JSON.stringify([...(values ?? [])])
    if (built?.fingerprint === fingerprint) return built
    const config = parseConfig(raw.value, env, values)
    for (const warning of config.warnings) log.warn(warning)
    const registry = createLazyRegistry(async () => {
      const { createRegistryClient, registryLimits } = await import('../../registry/http-client.ts')
      return createRegistryClient({ fetch: (input, init) => fetch(input, init), registries: config.registries, log, credentials, ...registryLimits(config.server) })
    })
    const next = { fingerprint, config, deps: { config, catalog: buildCatalog(config.images), store, registry, log, now: () => new Date() } }
    built = next
    return next
  }
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'manifest-hook'
  return {
    log,
    async prepare(scope) {
      const { deps } = await build()
      const work = createLambdaWork({ hop: scope.hop, log, invoke: (payload) => invokeSelf(functionName, payload) })
      return { ...deps, work, budget: { deadline: Date.now() + Math.max(0, scope.remainingMs - RESERVED_MS), requests: REQUESTS_PER_INVOCATION } }
    },
  }
}
