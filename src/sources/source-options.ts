/**
 * The config schema and resolution of every provider source's options (`sources.<id>` in the
 * config file), kept beside the sources. config.ts mounts the shapes and calls the resolver.
 */
import * as z from 'zod'
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

const host = z.string().min(1)
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not an HTTP header name').default('authorization')
const maxAge = z.number().int().min(0).max(7 * 24 * 3600).default(DEFAULT_MAX_AGE_SECONDS)
const jwk = z.object({ kty: z.literal('RSA'), kid: z.string().min(1), n: z.string().min(1), e: z.string().min(1), alg: z.string().optional(), use: z.string().optional() })

/** The zod shapes of `sources.<id>` for every provider source (merged into config.ts's `sources`). */
export const PROVIDER_SOURCE_SHAPES = {
  harbor: z.object({ secret: secretListSchema, registry: host.optional() }).strict().optional(),
  github: z.object({ secret: secretListSchema, registry: host.default('ghcr.io') }).strict().optional(),
  quay: z.object({ secret: secretListSchema, registry: host.optional() }).strict().optional(),
  acr: z.object({ secret: secretListSchema, header: headerName, registry: host.optional() }).strict().optional(),
  ecr: z.object({ secret: secretListSchema, header: headerName }).strict().optional(),
  gar: z
    .object({
      audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      jwks: z.object({ keys: z.array(jwk.loose()).min(1) }).loose(),
      serviceAccount: z.string().min(1),
      clockSkewSeconds: z.number().int().min(0).max(600).default(60),
    })
    .strict()
    .optional(),
  artifactory: z
    .object({ secret: secretListSchema, registry: host, signing: z.enum(['hmac', 'secret']).default('hmac'), repoKeyInPath: z.boolean().default(true), virtualRepo: z.string().min(1).optional() })
    .strict()
    .optional(),
  gitea: z.object({ secret: secretListSchema, registry: host.optional(), maxAgeSeconds: maxAge }).strict().optional(),
  zot: z.object({ username: z.string().min(1).optional(), password: secretListSchema.optional(), token: secretListSchema.optional(), registry: host }).strict().optional(),
  nexus: z.object({ secret: secretListSchema, repositories: z.record(z.string().min(1), host), maxAgeSeconds: maxAge }).strict().optional(),
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
