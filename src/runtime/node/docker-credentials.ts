/**
 * Registry logins the way docker, podman and skopeo find them, for registries the config gives no
 * credentials: the containers auth file (REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json)
 * first, as containers/image reads it, then Docker's config.json ($DOCKER_CONFIG, else ~/.docker),
 * where credHelpers[host], else credsStore, runs a `docker-credential-<name>` program, else
 * auths[host].auth holds base64 "user:password". Read once at start-up. Node only.
 * Formats: https://github.com/containers/image/blob/main/docs/containers-auth.json.5.md and
 * https://docs.docker.com/reference/cli/docker/login/#credential-stores
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AppConfig, RegistryOptions } from '../../config.ts'
import { DOCKER_HUB } from '../../core/reference.ts'
import { Secret } from '../../secret.ts'

type Env = Record<string, string | undefined>

/** Credentials found for a host, and where (for the start-up log; never the values). */
export interface FoundCredentials {
  username: string
  password: string
  from: string
}

/** Runs a credential helper: `docker-credential-<name> get` with the server URL on stdin; stdout, or undefined when it fails. */
export type HelperRunner = (name: string, serverUrl: string, env: Env) => string | undefined

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>
  credHelpers?: Record<string, string>
  credsStore?: string
}

// Docker Hub's logins are stored under its v1 index URL (docker/cli's registry.IndexServer).
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'

/** The registry host a key of `auths` / `credHelpers` names ("https://ghcr.io/v2/" -> "ghcr.io"). */
export function normalizeAuthKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? ''
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host
}

/** The auth files to read, in order of precedence. */
export function listAuthFiles(env: Env): { path: string; kind: 'containers' | 'docker' }[] {
  const containers = env.REGISTRY_AUTH_FILE || (env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined)
  const dockerDir = env.DOCKER_CONFIG || (env.HOME ? join(env.HOME, '.docker') : undefined)
  return [
    ...(containers ? [{ path: containers, kind: 'containers' as const }] : []),
    ...(dockerDir ? [{ path: join(dockerDir, 'config.json'), kind: 'docker' as const }] : []),
  ]
}

/** Finds credentials for `host` in the auth files; undefined when none has any. */
export function findRegistryCredentials(host: string, env: Env, run: HelperRunner = runHelper): FoundCredentials | undefined {
  for (const { path } of listAuthFiles(env)) {
    const file = readAuthFile(path)
    if (!file) continue
    const found = fromHelper(file, host, env, run, path) ?? fromAuths(file, host, path)
    if (found) return found
  }
  return undefined
}

/** Fills in credentials for every configured registry that has none; config entries always win. */
export function applyAmbientCredentials(config: AppConfig, env: Env, run: HelperRunner = runHelper): { config: AppConfig; found: { host: string; from: string }[] } {
  const registries: Record<string, RegistryOptions> = {}
  const found: { host: string; from: string }[] = []
  for (const [host, options] of Object.entries(config.registries)) {
    const creds = options.username || options.password ? undefined : findRegistryCredentials(host, env, run)
    registries[host] = creds ? { ...options, username: new Secret(creds.username), password: new Secret(creds.password) } : options
    if (creds) found.push({ host, from: creds.from })
  }
  return { config: { ...config, registries }, found }
}

function readAuthFile(path: string): AuthFile | undefined {
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AuthFile
  } catch {
    return undefined
  }
}

function entryFor<T>(record: Record<string, T> | undefined, host: string): T | undefined {
  return Object.entries(record ?? {}).find(([key]) => normalizeAuthKey(key) === host)?.[1]
}

function fromHelper(file: AuthFile, host: string, env: Env, run: HelperRunner, path: string): FoundCredentials | undefined {
  const name = entryFor(file.credHelpers, host) ?? file.credsStore
  if (!name) return undefined
  const output = run(name, host === DOCKER_HUB ? DOCKER_HUB_KEY : host, env)
  if (!output) return undefined
  try {
    const { Username, Secret: secret } = JSON.parse(output) as { Username?: string; Secret?: string }
    // "<token>" marks an identity token (an OAuth refresh token), not a password: not usable for Basic auth.
    if (!Username || !secret || Username === '<token>') return undefined
    return { username: Username, password: secret, from: `docker-credential-${name} (${path})` }
  } catch {
    return undefined
  }
}

function fromAuths(file: AuthFile, host: string, path: string): FoundCredentials | undefined {
  const entry = entryFor(file.auths, host)
  if (entry?.username && entry.password) return { username: entry.username, password: entry.password, from: path }
  if (!entry?.auth) return undefined
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), from: path }
}

function runHelper(name: string, serverUrl: string, env: Env): string | undefined {
  // Helper names are single words (desktop, osxkeychain, pass, ecr-login); never a path.
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return undefined
  try {
    return execFileSync(`docker-credential-${name}`, ['get'], { input: serverUrl, env, timeout: 10_000, stdio: ['pipe', 'pipe', 'ignore'], encoding: 'utf8' })
  } catch {
    return undefined
  }
}
