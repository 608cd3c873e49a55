/**
 * Starts a real CNCF distribution registry (`/usr/bin/docker-registry serve`) on 127.0.0.1 with a
 * fresh temp storage root, optional notifications and htpasswd/token auth; stops it and cleans up.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { getFreePort } from './free-port.ts'
import { HarnessError } from './tools.ts'

/** A running registry; `host` is what goes into image references. */
export interface RegistryServer {
  host: string
  url: string
  port: number
  dataDir: string
  configPath: string
  logs(): string
  stop(): Promise<void>
}

/** One `notifications.endpoints[]` entry; durations in milliseconds. */
export interface NotificationEndpoint {
  url: string
  headers?: Record<string, string[]>
  ignoreActions?: string[]
  ignoreMediaTypes?: string[]
  timeoutMs?: number
  thresholds?: number
  backoffMs?: number
}

/** What the registry is configured with; everything optional. */
export interface StartRegistryOptions {
  port?: number
  notifications?: NotificationEndpoint[]
  includeReferences?: boolean
  htpasswd?: { username: string; password: string }[]
  token?: { realm: string; service: string; issuer: string; rootCertBundlePath: string }
  deleteEnabled?: boolean
  /** Where the temp storage folder is created (default: the OS temp dir). */
  parentDir?: string
}

const REGISTRY_BIN = '/usr/bin/docker-registry'
const READY_TIMEOUT_MS = 15_000
const MAX_ATTEMPTS = 3
const running = new Set<ChildProcess>()
let exitHookInstalled = false

/** Starts a registry and resolves once `GET /v2/` answers 200 or 401; retries a taken port twice. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RegistryServer> {
  const root = await mkdtemp(join(options.parentDir ?? tmpdir(), 'mh-registry-'))
  try {
    const htpasswdPath = await writeHtpasswd(root, options.htpasswd)
    const configPath = join(root, 'config.yml')
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await getFreePort())
      await writeFile(configPath, formatYaml(buildRegistryConfig(options, port, root, htpasswdPath)))
      const started = await spawnRegistry(port, root, configPath)
      if (started.ok) return started.server
      if (!started.portTaken || options.port !== undefined || attempt >= MAX_ATTEMPTS) throw started.error
    }
  } catch (error) {
    await rm(root, { recursive: true, force: true })
    throw error
  }
}

type Started = { ok: true; server: RegistryServer } | { ok: false; portTaken: boolean; error: HarnessError }

async function spawnRegistry(port: number, root: string, configPath: string): Promise<Started> {
  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: registryEnv() })
  track(child)
  let output = ''
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-1_000_000))
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  child.on('error', (error) => void (output += `\nspawn error: ${error.message}`))
  const url = `http://127.0.0.1:${port}`
  const failure = await waitReady(child, url)
  if (failure === undefined) {
    const stop = () => stopRegistry(child, root)
    const server = { host: `127.0.0.1:${port}`, url, port, dataDir: join(root, 'data'), configPath, logs: () => output, stop }
    return { ok: true, server }
  }
  await killChild(child)
  const error = new HarnessError(`docker-registry did not start (${failure}); logs:\n${output}`)
  return { ok: false, portTaken: /address already in use/i.test(output), error }
}

// The registry reads REGISTRY_* variables as config overrides; never inherit any.
// https://distribution.github.io/distribution/about/configuration/#override-specific-configuration-options
function registryEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')))
}

async function waitReady(child: ChildProcess, url: string): Promise<string | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited with ${child.exitCode ?? child.signalCode}`
    if (child.pid === undefined) return 'could not be spawned'
    const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => (await response.arrayBuffer(), response.status),
      () => 0,
    )
    if (status === 200 || status === 401) return undefined
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return `no answer on ${url}/v2/ within ${READY_TIMEOUT_MS} ms`
}

async function stopRegistry(child: ChildProcess, root: string): Promise<void> {
  await killChild(child)
  await rm(root, { recursive: true, force: true })
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  running.delete(child)
}

function track(child: ChildProcess): void {
  running.add(child)
  child.once('exit', () => running.delete(child))
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Last resort so no registry outlives the test process (an 'exit' handler may only do sync work).
  process.on('exit', killAllNow)
  // vitest ends its fork workers with SIGTERM, which skips 'exit' handlers: kill, then die as before.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, onSignal)
}

function killAllNow(): void {
  running.forEach((proc) => proc.kill('SIGKILL'))
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow()
  process.off(signal, onSignal)
  // Only when nobody else handles the signal: re-raise it so the default (terminate) still happens.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

async function writeHtpasswd(root: string, users: StartRegistryOptions['htpasswd']): Promise<string | undefined> {
  if (!users) return undefined
  // distribution's htpasswd backend accepts bcrypt entries only:
  // https://distribution.github.io/distribution/about/configuration/#htpasswd
  const lines = users.map((user) => `${user.username}:${bcrypt.hashSync(user.password, 5)}`)
  const path = join(root, 'htpasswd')
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

/** Builds the registry configuration object (https://distribution.github.io/distribution/about/configuration/). */
export function buildRegistryConfig(
  options: StartRegistryOptions,
  port: number,
  root: string,
  htpasswdPath?: string,
): Record<string, unknown> {
  return {
    version: '0.1',
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      // As in the stock config Debian ships (/etc/docker/registry/config.yml) and the official image.
      cache: { blobdescriptor: 'inmemory' },
      filesystem: { rootdirectory: join(root, 'data') },
      delete: { enabled: options.deleteEnabled ?? true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
    ...(options.notifications ? { notifications: buildNotifications(options) } : {}),
    ...buildAuth(options, htpasswdPath),
  }
}

function buildNotifications(options: StartRegistryOptions): Record<string, unknown> {
  const endpoints = (options.notifications ?? []).map((endpoint, index) => ({
    name: `endpoint-${index}`,
    disabled: false,
    url: endpoint.url,
    headers: endpoint.headers ?? {},
    timeout: `${endpoint.timeoutMs ?? 2000}ms`,
    threshold: endpoint.thresholds ?? 3,
    backoff: `${endpoint.backoffMs ?? 500}ms`,
    ignore: buildIgnore(endpoint),
  }))
  return { events: { includereferences: options.includeReferences ?? true }, endpoints }
}

// distribution installs its ignore filter only when some media type is ignored, so ignore.actions
// alone does nothing; a media type no event carries switches the filter on.
// https://github.com/distribution/distribution/issues/4729
const NEVER_MEDIA_TYPE = 'application/x-manifest-hook-test-never'

function buildIgnore(endpoint: NotificationEndpoint): Record<string, string[]> {
  const actions = endpoint.ignoreActions ?? []
  const mediaTypes = endpoint.ignoreMediaTypes ?? []
  return { actions, mediatypes: mediaTypes.length === 0 && actions.length > 0 ? [NEVER_MEDIA_TYPE] : mediaTypes }
}

function buildAuth(options: StartRegistryOptions, htpasswdPath?: string): Record<string, unknown> {
  if (options.token) {
    const { realm, service, issuer, rootCertBundlePath } = options.token
    return { auth: { token: { realm, service, issuer, rootcertbundle: rootCertBundlePath } } }
  }
  if (htpasswdPath) return { auth: { htpasswd: { realm: 'manifest-hook-test', path: htpasswdPath } } }
  return {}
}

/** Formats plain data as block YAML; every scalar is written as JSON, which YAML reads unchanged. */
export function formatYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return indent ? ' []\n' : '[]\n'
    return `\n${value.map((item) => `${indent}-${formatYaml(item, `${indent}  `)}`).join('')}`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 0) return ' {}\n'
    const body = entries.map(([key, item]) => `${indent}${JSON.stringify(key)}:${formatYaml(item, `${indent}  `)}`)
    return `${indent ? '\n' : ''}${body.join('')}`
  }
  return ` ${JSON.stringify(value)}\n`
}
