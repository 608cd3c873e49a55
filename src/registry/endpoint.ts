/**
 * Where a configured registry host is reached: base URL (scheme, Docker Hub's API host, explicit
 * endpoint) and the `/v2/` URLs built on it. Hosts missing from the configuration are refused.
 */
import type { RegistryOptions } from '../config.ts'
import { DOCKER_HUB, type RepositoryName } from '../core/reference.ts'
import { RegistryError } from './errors.ts'

/** A configured registry: its host key, API base URL and options. */
export interface RegistryEndpoint {
  host: string
  base: URL
  options: RegistryOptions
}

// Docker Hub's API is not served on docker.io: https://docs.docker.com/reference/api/registry/latest/
const DOCKER_HUB_API = 'https://registry-1.docker.io'

/** Resolves a host key to its endpoint; throws RegistryError 'not-configured' for unknown hosts. */
export function resolveEndpoint(
  registries: Record<string, RegistryOptions>,
  name: RepositoryName,
  method: string,
): RegistryEndpoint {
  const options = Object.hasOwn(registries, name.registry) ? registries[name.registry] : undefined
  if (!options) {
    throw new RegistryError({
      reason: 'not-configured',
      method,
      url: `${name.registry}/${name.repository}`,
      detail: `registry "${name.registry}" is not configured`,
    })
  }
  return { host: name.registry, base: new URL(buildBaseUrl(name.registry, options)), options }
}

function buildBaseUrl(host: string, options: RegistryOptions): string {
  if (options.endpoint) return options.endpoint.replace(/\/+$/, '')
  if (host === DOCKER_HUB) return DOCKER_HUB_API
  return `${options.insecure ? 'http' : 'https'}://${host}`
}

/** Builds `<base>/v2/<repository>/<kind>/<reference>` (kind: manifests, blobs, blobs/uploads). */
export function buildRegistryUrl(endpoint: RegistryEndpoint, repository: string, kind: string, reference = ''): URL {
  const base = endpoint.base.href.replace(/\/+$/, '')
  return new URL(`${base}/v2/${repository}/${kind}/${reference}`)
}

/** Returns true when `url` is served by the registry itself (credentials may be attached). */
export function isRegistryOrigin(endpoint: RegistryEndpoint, url: URL): boolean {
  return url.protocol === endpoint.base.protocol && url.host === endpoint.base.host
}

/** Resolves a `Location` header (absolute or relative) against the URL that returned it. */
export function resolveLocation(location: string, requestUrl: URL): URL {
  return new URL(location, requestUrl)
}

/** Appends one query parameter to a URL that may already carry a query, preserving its encoding. */
export function appendQuery(url: URL, name: string, value: string): URL {
  const out = new URL(url)
  const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
  out.search = out.search ? `${out.search}&${pair}` : `?${pair}`
  return out
}
