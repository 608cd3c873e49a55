/**
 * The config schema and resolution of every provider source's options (`sources.<id>` in the
 * config file), kept beside the sources. config.ts mounts the shapes and calls the resolver.
 */
import * as z from 'zod/mini'
import type { Secret } from '../secret.ts'
import { secretListSchema, type SecretListInput } from '../secret-input.ts'
import type { AcrOptions } from './acr.ts'
import type { ArtifactoryOptions } from './artifactory.ts'
import type { EcrOptions } from './ecr.ts'
import type { GarOptions } from './gar.ts'
import type { GiteaOptions } from './gitea.ts'
import type { GitHubOptions } from './github.ts'
import type { HarborOptions } from './harbor.ts'
import type { NexusOptions } from './nexus.ts'
import type { QuayOptions } from './quay.ts'
import { DEFAULT_MAX_AGE_SECONDS } from './timestamp-window.ts'
import type { ZotOptions } from './zot.ts'

/** The resolved options of every provider source that is configured. */
export interface ProviderSourcesConfig {
  harbor?: HarborOptions
  github?: GitHubOptions
  quay?: QuayOptions
  acr?: AcrOptions
  ecr?: EcrOptions
  gar?: GarOptions
  artifactory?: ArtifactoryOptions
  gitea?: GiteaOptions
  zot?: ZotOptions
  nexus?: NexusOptions
}

const host = z.string().check(z.minLength(1))
const headerName = z._default(z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not an HTTP header name')), 'authorization')
const maxAge = z._default(z.int().check(z.minimum(0), z.maximum(7 * 24 * 3600)), DEFAULT_MAX_AGE_SECONDS)
const jwk = z.looseObject({ kty: z.literal('RSA'), kid: z.string().check(z.minLength(1)), n: z.string().check(z.minLength(1)), e: z.string().check(z.minLength(1)), alg: z.optional(z.string()), use: z.optional(z.string()) })

/** The zod shapes of `sources.<id>` for every provider source (merged into config.ts's `sources`). */
export const PROVIDER_SOURCE_SHAPES = {
  harbor: z.optional(z.strictObject({ secret: secretListSchema, registry: z.optional(host) })),
  github: z.optional(z.strictObject({ secret: secretListSchema, registry: z._default(host, 'ghcr.io') })),
  quay: z.optional(z.strictObject({ secret: secretListSchema, registry: z.optional(host) })),
  acr: z.optional(z.strictObject({ secret: secretListSchema, header: headerName, registry: z.optional(host) })),
  ecr: z.optional(z.strictObject({ secret: secretListSchema, header: headerName })),
  gar: z.optional(
    z.strictObject({
      audience: z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))]),
      jwks: z.looseObject({ keys: z.array(jwk).check(z.minLength(1)) }),
      serviceAccount: z.string().check(z.minLength(1)),
      clockSkewSeconds: z._default(z.int().check(z.minimum(0), z.maximum(600)), 60),
    }),
  ),
  artifactory: z.optional(z.strictObject({ secret: secretListSchema, registry: host, signing: z._default(z.enum(['hmac', 'secret']), 'hmac'), repoKeyInPath: z._default(z.boolean(), true), virtualRepo: z.optional(z.string().check(z.minLength(1))) })),
  gitea: z.optional(z.strictObject({ secret: secretListSchema, registry: z.optional(host), maxAgeSeconds: maxAge })),
  zot: z.optional(z.strictObject({ username: z.optional(z.string().check(z.minLength(1))), password: z.optional(secretListSchema), token: z.optional(secretListSchema), registry: host })),
  nexus: z.optional(z.strictObject({ secret: secretListSchema, repositories: z.record(z.string().check(z.minLength(1)), host), maxAgeSeconds: maxAge })),
}

type RawProviderSources = { [K in keyof typeof PROVIDER_SOURCE_SHAPES]?: z.infer<(typeof PROVIDER_SOURCE_SHAPES)[K]> }

/** What resolution needs from config.ts: secret lookup (reporting into `issues`) and the known hosts. */
export interface SourceResolution {
  secrets: (value: SecretListInput, path: string) => Secret[]
  issues: string[]
  registries: Record<string, unknown>
}

type SourceId = keyof typeof PROVIDER_SOURCE_SHAPES
type Resolvers = { [K in SourceId]: (raw: NonNullable<RawProviderSources[K]>, r: SourceResolution) => NonNullable<ProviderSourcesConfig[K]> }

// A host a source names must be a configured registry (a payload may only select among them).
function known(r: SourceResolution, host: string | undefined, path: string): { registry?: string } {
  if (host !== undefined && !Object.hasOwn(r.registries, host)) r.issues.push(`${path}: "${host}" is not a configured registry`)
  return host === undefined ? {} : { registry: host }
}

const RESOLVERS: Resolvers = {
  harbor: (raw, r) => ({ secrets: r.secrets(raw.secret, 'sources.harbor.secret'), ...known(r, raw.registry, 'sources.harbor.registry') }),
  github: (raw, r) => ({ secrets: r.secrets(raw.secret, 'sources.github.secret'), registry: raw.registry, ...known(r, raw.registry, 'sources.github.registry') }),
  quay: (raw, r) => ({ secrets: r.secrets(raw.secret, 'sources.quay.secret'), ...known(r, raw.registry, 'sources.quay.registry') }),
  acr: (raw, r) => ({ secrets: r.secrets(raw.secret, 'sources.acr.secret'), header: raw.header.toLowerCase(), ...known(r, raw.registry, 'sources.acr.registry') }),
  ecr: (raw, r) => ({ secrets: r.secrets(raw.secret, 'sources.ecr.secret'), header: raw.header.toLowerCase() }),
  gar: (raw) => resolveGar(raw),
  artifactory: ({ secret, registry, signing, repoKeyInPath, virtualRepo }, r) => ({
    secrets: r.secrets(secret, 'sources.artifactory.secret'),
    signing,
    repoKeyInPath,
    registry,
    ...known(r, registry, 'sources.artifactory.registry'),
    ...(virtualRepo ? { virtualRepo } : {}),
  }),
  gitea: (raw, r) => ({ secrets: r.secrets(raw.secret, 'sources.gitea.secret'), maxAgeSeconds: raw.maxAgeSeconds, ...known(r, raw.registry, 'sources.gitea.registry') }),
  zot: (raw, r) => resolveZot(raw, r),
  nexus: (raw, r) => resolveNexus(raw, r),
}

/** Resolves every configured provider source, reporting bad keys into `r.issues`. */
export function resolveProviderSources(raw: RawProviderSources, r: SourceResolution): ProviderSourcesConfig {
  const out: Record<string, unknown> = {}
  for (const id of Object.keys(RESOLVERS) as SourceId[]) {
    const resolve = RESOLVERS[id] as (value: unknown, r: SourceResolution) => unknown
    if (raw[id]) out[id] = resolve(raw[id], r)
  }
  return out as ProviderSourcesConfig
}

// Zot's sink sends Basic when it has a username, else Bearer with its token (http_sink.go NewHTTPSink).
function resolveZot(raw: NonNullable<RawProviderSources['zot']>, r: SourceResolution): ZotOptions {
  const halfBasic = (raw.username === undefined) !== (raw.password === undefined)
  if (halfBasic || (raw.username === undefined && raw.token === undefined)) r.issues.push('sources.zot: set username and password, or token')
  const passwords = raw.password === undefined ? [] : r.secrets(raw.password, 'sources.zot.password')
  const tokens = raw.token === undefined ? {} : { tokens: r.secrets(raw.token, 'sources.zot.token') }
  return { ...(raw.username === undefined ? {} : { username: raw.username }), passwords, ...tokens, registry: raw.registry, ...known(r, raw.registry, 'sources.zot.registry') }
}

function resolveGar(raw: NonNullable<RawProviderSources['gar']>): GarOptions {
  const audiences = Array.isArray(raw.audience) ? raw.audience : [raw.audience]
  const jwks = raw.jwks.keys.map(({ kty, kid, n, e }) => ({ kty, kid, n, e }))
  return { audiences, jwks, clockSkewSeconds: raw.clockSkewSeconds, serviceAccount: raw.serviceAccount }
}

function resolveNexus(raw: NonNullable<RawProviderSources['nexus']>, r: SourceResolution): NexusOptions {
  for (const [name, host] of Object.entries(raw.repositories)) known(r, host, `sources.nexus.repositories.${name}`)
  const repositories = Object.assign(Object.create(null) as Record<string, string>, raw.repositories)
  return { secrets: r.secrets(raw.secret, 'sources.nexus.secret'), repositories, maxAgeSeconds: raw.maxAgeSeconds }
}
