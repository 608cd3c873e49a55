/**
 * createRegistryClient: the RegistryClient port over an injected `fetch` (undici on Node, the
 * global on Workers, a fake in tests). Layers: transport (retries) -> auth -> operations.
 */
import type { RegistryOptions, ServerConfig } from '../config.ts'
import { computeDigest } from '../core/digest.ts'
import type { RepositoryName } from '../core/reference.ts'
import { silentLogger, type Logger } from '../log.ts'
import { pullScope, pushScope } from './auth-challenge.ts'
import { copyBlob } from './blob-copy.ts'
import { getBlob } from './blobs.ts'
import { getManifest, headManifest, putManifest } from './manifests.ts'
import type { RegistryClient } from './registry-client.ts'
import { listReferrers } from './referrers.ts'
import { listTags } from './tags.ts'
import { createRegistryGates } from './registry-gates.ts'
import { createRequestContext, retryBodyCuts, runOperation, type CredentialSource, type RequestContext } from './request-context.ts'

/** Everything the client needs from its runtime. */
export interface RegistryClientOptions {
  /** Injected fetch: undici on Node, the global on Workers, a fake in tests. */
  fetch: typeof fetch
  /** Configured registries by host key ("127.0.0.1:5000", "docker.io"); no other host is contacted. */
  registries: Record<string, RegistryOptions>
  userAgent?: string
  log?: Logger
  /** `deadlineMs`: how long one operation may take in all (server.registryDeadlineSeconds). */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number; deadlineMs?: number }
  /** How long one request may wait for response headers (server.registryTimeoutSeconds); default 10 s. */
  attemptTimeoutMs?: number
  /** Requests waiting for an answer from one host at most (server.registryConcurrency); default 8. */
  concurrency?: number
  sleep?: (ms: number) => Promise<void>
  /** Millisecond clock for token expiry, Retry-After dates and deadlines. */
  now?: () => number
  /** `sha256:<hex>` of bytes; defaults to Web Crypto (Node passes a synchronous node:crypto hash: no thread-pool hop). */
  computeDigest?: (bytes: Uint8Array) => Promise<string>
  /** Credentials obtained while running (ECR on Lambda), instead of the configured ones. */
  credentials?: CredentialSource
}

/** The repositories a coming sequence of calls will read and write. */
export type AccessPlan = Parameters<NonNullable<RegistryClient['declareAccess']>>[0]

/** The HTTP registry client: the port with `declareAccess` always present. */
export type HttpRegistryClient = Required<Pick<RegistryClient, 'declareAccess'>> & RegistryClient

const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, deadlineMs: 30_000 }
const MAX_TAGS = 100_000
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000
const DEFAULT_CONCURRENCY = 8
// A streamed copy may take longer than the deadline by its size at this rate (a 1 GiB layer: +68 min).
const MIN_COPY_BYTES_PER_SECOND = 256 * 1024

/** The client's timeouts and per-registry concurrency from the `server.registry*` settings (every runtime passes them). */
export function registryLimits(server: Pick<ServerConfig, 'registryTimeoutSeconds' | 'registryDeadlineSeconds' | 'registryConcurrency'>) {
  return { attemptTimeoutMs: server.registryTimeoutSeconds * 1000, retry: { deadlineMs: server.registryDeadlineSeconds * 1000 }, concurrency: server.registryConcurrency }
}

/** Creates a registry client; every method throws RegistryError on failure. */
export function createRegistryClient(options: RegistryClientOptions): HttpRegistryClient {
  const now = options.now ?? Date.now
  const attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS
  const context = createRequestContext(options.registries, {
    fetch: options.fetch,
    userAgent: options.userAgent ?? 'manifest-hook/0.1',
    retry: { ...DEFAULT_RETRY, ...options.retry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now,
    log: options.log ?? silentLogger,
    digest: options.computeDigest ?? computeDigest,
    attemptTimeoutMs,
    gates: createRegistryGates({ limit: options.concurrency ?? DEFAULT_CONCURRENCY, cooldownMs: attemptTimeoutMs, now }),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  })
  const noReferrersApi = new Set<string>()
  // Every method is one operation under one deadline; GETs whose body is cut off are retried within it.
  const get = <T>(repo: RepositoryName, path: string, call: (op: RequestContext) => Promise<T>) =>
    runOperation(context, { host: repo.registry, method: 'GET', path: `/v2/${repo.repository}/${path}` }, 0, (op) =>
      retryBodyCuts(op, 'GET', `${repo.registry}/${repo.repository}/${path}`, () => call(op)),
    )
  const other = <T>(method: string, repo: RepositoryName, path: string, call: (op: RequestContext) => Promise<T>, extraMs = 0) =>
    runOperation(context, { host: repo.registry, method, path: `/v2/${repo.repository}/${path}` }, extraMs, call)
  return {
    getManifest: (repo, reference) => get(repo, `manifests/${reference}`, (op) => getManifest(op, repo, reference)),
    headManifest: (repo, reference) => other('HEAD', repo, `manifests/${reference}`, (op) => headManifest(op, repo, reference)),
    putManifest: (repo, reference, manifest, putOptions) => other('PUT', repo, `manifests/${reference}`, (op) => putManifest(op, repo, reference, manifest, putOptions)),
    getBlob: (repo, digest, maxBytes) => get(repo, `blobs/${digest}`, (op) => getBlob(op, repo, digest, maxBytes)),
    copyBlob: (from, to, blob) =>
      other('PUT', to, `blobs/${blob.digest}`, (op) => copyBlob(op, from, to, blob), (Math.max(0, blob.size) / MIN_COPY_BYTES_PER_SECOND) * 1000),
    listReferrers: (repo, digest) => get(repo, `referrers/${digest}`, (op) => listReferrers(op, noReferrersApi, repo, digest)),
    listTags: (repo) => get(repo, 'tags/list', (op) => listTags(op, repo, MAX_TAGS)),
    declareAccess: (plan) => {
      for (const repo of plan.pull ?? []) context.auth.declare(repo.registry, [pullScope(repo.repository)])
      for (const repo of plan.push ?? []) context.auth.declare(repo.registry, [pushScope(repo.repository)])
    },
  }
}
