/**
 * Image references: `[registry/]repository[:tag][@digest]`, with Docker Hub defaulting in one place.
 * Pure. Grammar: https://github.com/distribution/reference/blob/main/reference.go
 */

/** A repository on a registry; `registry` is the configured host key (e.g. `docker.io`). */
export interface RepositoryName {
  registry: string
  repository: string
}

/** A repository plus a tag and/or digest. */
export interface Reference extends RepositoryName {
  tag?: string
  digest?: string
}

export const DOCKER_HUB = 'docker.io'
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$|^\[[0-9a-fA-F:]+\](?::[0-9]{1,5})?$/

/** Returns true when `tag` is a syntactically valid tag. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag)
}

/** Returns true when every path component of `repository` is valid. */
export function isValidRepository(repository: string): boolean {
  return repository.length <= 255 && repository.split('/').every((part) => COMPONENT.test(part))
}

// The first component is a host when it has a dot or a port, or is localhost (docker's rule).
/** Splits `host/path` into [host, path], defaulting the host to Docker Hub. */
export function splitRegistryHost(text: string): [string, string] {
  const slash = text.indexOf('/')
  const first = slash < 0 ? '' : text.slice(0, slash)
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    return [first, text.slice(slash + 1)]
  }
  return [DOCKER_HUB, text]
}

/** Normalises Docker Hub aliases: `index.docker.io` is `docker.io`, and `app` is `library/app`. */
export function normalizeRepositoryName(name: RepositoryName): RepositoryName {
  const registry = name.registry === 'index.docker.io' || name.registry === 'registry-1.docker.io' ? DOCKER_HUB : name.registry
  const repository = registry === DOCKER_HUB && !name.repository.includes('/') ? `library/${name.repository}` : name.repository
  return { registry, repository }
}

/** Parses a repository name without tag or digest; undefined when invalid. */
export function parseRepositoryName(text: string): RepositoryName | undefined {
  const [registry, repository] = splitRegistryHost(text)
  if (!HOST.test(registry) || !isValidRepository(repository)) return undefined
  return normalizeRepositoryName({ registry, repository })
}

/** Parses a full reference; undefined when any part is invalid. */
export function parseReference(text: string): Reference | undefined {
  const at = text.indexOf('@')
  const digest = at < 0 ? undefined : text.slice(at + 1)
  const rest = at < 0 ? text : text.slice(0, at)
  const colon = rest.lastIndexOf(':')
  const hasTag = colon > rest.lastIndexOf('/')
  const tag = hasTag ? rest.slice(colon + 1) : undefined
  const name = parseRepositoryName(hasTag ? rest.slice(0, colon) : rest)
  if (!name || (digest !== undefined && !DIGEST.test(digest)) || (tag !== undefined && !TAG.test(tag))) return undefined
  return { ...name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }
}

/** Formats `registry/repository`. */
export function formatRepositoryName(name: RepositoryName): string {
  // join gives one flat string; a template literal this long is a rope that keeps both parts.
  return [name.registry, name.repository].join('/')
}

/** Formats `registry/repository[:tag][@digest]`. */
export function formatReference(ref: Reference): string {
  return `${formatRepositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}
