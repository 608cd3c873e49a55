/**
 * The starter config `manifest-hook init` writes: one image on one registry, the webhook source
 * that registry sends, its secret read from the environment. Pure.
 */

/** How per-arch images are named: separate repositories, or suffix tags in one repository. */
export type NamingStyle = 'repo' | 'suffix'

export interface StarterOptions {
  registry: string
  /** Repository path of the multi-arch image, e.g. "org/app". */
  image: string
  naming: NamingStyle
  platforms: string[]
  /** `$schema` value (a path or URL of schema/config.schema.json). */
  schema?: string
}

/** The environment variable the starter's webhook secret is read from. */
export const SECRET_ENV = 'MANIFEST_HOOK_WEBHOOK_SECRET'

/** The webhook source a registry host sends, and its options with the secret. */
export function pickSource(registry: string): { id: string; options: Record<string, unknown> } {
  const secret = { env: SECRET_ENV }
  if (registry === 'ghcr.io') return { id: 'github', options: { secret } }
  if (registry === 'docker.io') return { id: 'dockerhub', options: { secret } }
  if (registry === 'quay.io') return { id: 'quay', options: { secret } }
  if (registry.endsWith('.azurecr.io')) return { id: 'acr', options: { header: 'X-Hook-Token', secret } }
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(registry)) return { id: 'ecr', options: { secret } }
  return { id: 'distribution', options: { token: secret } }
}

/** Loopback registries speak plain HTTP (distribution's default); every other host HTTPS. */
export function isLoopbackHost(registry: string): boolean {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(registry)
}

/** Builds the starter config object. */
export function buildStarterConfig(options: StarterOptions): Record<string, unknown> {
  const { registry, image, naming } = options
  const source = pickSource(registry)
  const from = naming === 'repo' ? `${registry}/${image}-{arch}:{version}` : `${registry}/${image}:{version}-{arch}`
  return {
    ...(options.schema ? { $schema: options.schema } : {}),
    ...(isLoopbackHost(registry) ? { registries: { [registry]: { insecure: true } } } : {}),
    sources: { [source.id]: source.options },
    images: [{ target: `${registry}/${image}`, from, platforms: options.platforms, tags: { latest: true, floating: ['{major}.{minor}'] } }],
  }
}
