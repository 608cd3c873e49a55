/**
 * Configuration: one zod schema and `parseConfig(input, env)`. Pure: the runtimes read the file
 * and the environment and pass both in. Every invalid key is reported, each with its path.
 */
import * as z from 'zod/mini'
import { parseWithSchema } from './core/parse-with-schema.ts'
import { parseRepositoryName } from './core/reference.ts'
import { ConfigError } from './errors.ts'
import type { RetentionPolicy } from './core/retention.ts'
import { createValueSharing } from './core/value-sharing.ts'
import { findImageWarnings, imageSchema, resolveImage, type ImageConfig } from './image-config.ts'
import type { Secret } from './secret.ts'
import { notificationsSchema, resolveNotifications, type NotifyChannel } from './notify-config.ts'
import { resolveSecretInput, resolveSecretList, secretInputSchema, secretListSchema, type SecretInput, type SecretListInput, type SecretSources } from './secret-input.ts'
import { PROVIDER_SOURCE_SHAPES, resolveProviderSources, type ProviderSourcesConfig } from './sources/source-options.ts'

export type { ImageConfig, ImagePlatform } from './image-config.ts'

/** How to reach and authenticate to one registry host. */
export interface RegistryOptions {
  insecure: boolean
  username?: Secret
  password?: Secret
  /** API base URL when it differs from the host key (Docker Hub: https://registry-1.docker.io). */
  endpoint?: string
  /** Extra token realms (URL prefixes) we may send credentials to, beyond the registry's own host. */
  tokenRealms: string[]
}

export interface ServerConfig {
  host: string
  port: number
  maxBodyBytes: number
  sweepIntervalSeconds: number
  /** How often a periodic sweep also checks finished work against the registry (0: every sweep). */
  reconcileIntervalSeconds: number
  /** How long after its last change the sweep keeps re-checking a version against the registry. */
  reconcileWindowHours: number
  /** Whether full sweeps list source tags to find versions no webhook announced. */
  discoverVersions: boolean
  /** How many images one full sweep lists tags for at most (the others in later full sweeps). */
  discoverImagesPerSweep: number
  /** After how many failed attempts an arrival is `unresolvable` (no more registry requests). */
  unresolvableAfterAttempts: number
  /** After how many hours since its push an arrival that keeps failing is `unresolvable`. */
  unresolvableAfterHours: number
  adminToken?: Secret
  /** Without adminToken: whether GET /status answers anyone (under an IP or localhost Host only). */
  publicStatus: boolean
  /** Node: how long one webhook request may take to arrive, headers and body (then 408 and closed). */
  requestTimeoutSeconds: number
  /** Node: open connections at most; beyond, new ones are closed at once. */
  maxConnections: number
  /** How long one registry request may wait for the response headers before it is given up. */
  registryTimeoutSeconds: number
  /** How long one registry operation (retries, token, body included) may take in all. */
  registryDeadlineSeconds: number
  /** Requests in flight to one registry host at most, so that one slow registry cannot hold every worker. */
  registryConcurrency: number
  /** What full sweeps prune (absent: nothing). */
  retention?: RetentionPolicy
}

/** Options of every configured webhook source (provider sources: src/sources/source-options.ts). */
export interface SourcesConfig extends ProviderSourcesConfig {
  distribution?: { tokens: Secret[]; registry?: string }
  dockerhub?: { secrets: Secret[] }
}

/** The validated, resolved configuration the app runs on. */
export interface AppConfig {
  server: ServerConfig
  registries: Record<string, RegistryOptions>
  sources: SourcesConfig
  images: ImageConfig[]
  /** Where outcomes are announced (notify-config.ts); absent or empty: nowhere. */
  notifications?: NotifyChannel[]
  /** Valid but risky settings, logged at start-up and shown in /status. */
  warnings: string[]
}

export const configSchema = z.strictObject({
  // The JSON Schema editors complete and check the file with (schema/config.schema.json); ignored here.
  $schema: z.optional(z.string()),
  server: z.prefault(
    z.strictObject({
      host: z._default(z.string(), '127.0.0.1'),
      port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), 8080),
      maxBodyBytes: z._default(z.int().check(z.minimum(1024), z.maximum(64 * 1024 * 1024)), 1024 * 1024),
      sweepIntervalSeconds: z._default(z.int().check(z.minimum(0)), 60),
      reconcileIntervalSeconds: z._default(z.int().check(z.minimum(0)), 900),
      reconcileWindowHours: z._default(z.number().check(z.minimum(0)), 24),
      discoverVersions: z._default(z.boolean(), true),
      discoverImagesPerSweep: z._default(z.int().check(z.minimum(1)), 1000),
      unresolvableAfterAttempts: z._default(z.int().check(z.minimum(1)), 8),
      unresolvableAfterHours: z._default(z.number().check(z.positive()), 24),
      adminToken: z.optional(secretInputSchema),
      publicStatus: z._default(z.boolean(), false),
      requestTimeoutSeconds: z._default(z.int().check(z.minimum(1), z.maximum(600)), 10),
      maxConnections: z._default(z.int().check(z.minimum(1)), 256),
      registryTimeoutSeconds: z._default(z.number().check(z.minimum(0.1), z.maximum(600)), 10),
      registryDeadlineSeconds: z._default(z.number().check(z.minimum(0.1), z.maximum(3600)), 30),
      registryConcurrency: z._default(z.int().check(z.minimum(1), z.maximum(256)), 8),
      retention: z.optional(z.strictObject({ days: z.number().check(z.minimum(0)), keepVersions: z.int().check(z.minimum(0)) })),
    }),
    {},
  ),
  registries: z._default(
    z.record(
      z.string(),
      z.strictObject({
        insecure: z._default(z.boolean(), false),
        username: z.optional(secretInputSchema),
        password: z.optional(secretInputSchema),
        endpoint: z.optional(z.url()),
        tokenRealms: z._default(z.array(z.url()), []),
      }),
    ),
    {},
  ),
  sources: z._default(
    z.strictObject({
      distribution: z.optional(z.strictObject({ token: secretListSchema, registry: z.optional(z.string()) })),
      dockerhub: z.optional(z.strictObject({ secret: secretListSchema })),
      ...PROVIDER_SOURCE_SHAPES,
    }),
    {},
  ),
  images: z._default(z.array(imageSchema), []),
  notifications: z._default(notificationsSchema, []),
})

type RawConfig = z.infer<typeof configSchema>
type Env = Record<string, string | undefined>

/**
 * Parses and resolves configuration; throws ConfigError listing every problem. `secretsManager`: the values of the Secrets Manager secrets the config names (id → SecretString),
 * fetched by the runtime beforehand (see findSecretsManagerIds); without it such references are reported.
 */
export function parseConfig(input: unknown, env: Env = {}, secretsManager?: ReadonlyMap<string, string>): AppConfig {
  const parsed = parseWithSchema(configSchema, input)
  if (!parsed.ok) throw new ConfigError(parsed.issues)
  const issues: string[] = []
  const config = resolveConfig(parsed.value, { env, ...(secretsManager ? { secretsManager } : {}) }, issues)
  if (issues.length > 0) throw new ConfigError(issues)
  return config
}

function resolveConfig(raw: RawConfig, sources: SecretSources, issues: string[]): AppConfig {
  const secret = (value: SecretInput | undefined, path: string) =>
    value === undefined ? undefined : resolveSecretInput(value, sources, path, issues)
  const share = createValueSharing()
  const images = raw.images.map((image, i) => resolveImage(image, `images.${i}`, issues, share))
  const registries: Record<string, RegistryOptions> = {}
  for (const [host, options] of Object.entries(raw.registries)) {
    const path = `registries.${host}`
    if (!parseRepositoryName(`${host}/x`) || parseRepositoryName(`${host}/x`)?.registry !== host) {
      issues.push(`${path}: not a registry host (e.g. "ghcr.io", "127.0.0.1:5000", "docker.io")`)
    }
    const username = secret(options.username, `${path}.username`)
    const password = secret(options.password, `${path}.password`)
    registries[host] = {
      insecure: options.insecure,
      tokenRealms: options.tokenRealms,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    }
  }
  for (const image of images) {
    for (const host of [...image.targets.map((t) => t.registry), image.from.registry]) {
      registries[host] ??= { insecure: false, tokenRealms: [] }
    }
  }
  checkDuplicateTargets(images, issues)
  return {
    server: { ...raw.server, adminToken: secret(raw.server.adminToken, 'server.adminToken') },
    registries,
    sources: resolveSources(raw.sources, sources, issues, registries),
    images,
    notifications: resolveNotifications(raw.notifications, (value, path) => secret(value, path), images.map((i) => i.name), issues),
    warnings: images.flatMap(findImageWarnings),
  }
}

function resolveSources(raw: RawConfig['sources'], env: SecretSources, issues: string[], registries: Record<string, RegistryOptions>): SourcesConfig {
  const sources: SourcesConfig = {}
  if (raw.distribution) {
    const { registry } = raw.distribution
    if (registry !== undefined && !Object.hasOwn(registries, registry)) {
      issues.push(`sources.distribution.registry: "${registry}" is not a configured registry`)
    }
    const tokens = resolveSecretList(raw.distribution.token, env, 'sources.distribution.token', issues)
    sources.distribution = { tokens, ...(registry ? { registry } : {}) }
  }
  if (raw.dockerhub) {
    sources.dockerhub = { secrets: resolveSecretList(raw.dockerhub.secret, env, 'sources.dockerhub.secret', issues) }
  }
  const secrets = (value: SecretListInput, path: string) => resolveSecretList(value, env, path, issues)
  return { ...sources, ...resolveProviderSources(raw, { secrets, issues, registries }) }
}

// Two images publishing to one repository would overwrite each other's tags (mirrors included).
function checkDuplicateTargets(images: ImageConfig[], issues: string[]): void {
  const owner = new Map<string, number>()
  images.forEach((image, i) => {
    for (const target of new Set(image.targetNames)) {
      const first = owner.get(target)
      if (first === undefined) owner.set(target, i)
      else issues.push(`images.${i}.target: "${target}" is also a target of images.${first}`)
    }
  })
}
