/**
 * createRegistryClient: the RegistryClient port over an injected `fetch` (undici on Node, the
 * global on Workers, a fake in tests). Layers: transport (retries) -> auth -> operations.
 */
import type { RegistryOptions } from '../config.ts'
import { computeDigest } from '../core/digest.ts'
import { silentLogger, type Logger } from '../log.ts'
import { pullScope, pushScope } from './auth-challenge.ts'
import { copyBlob } from './blob-copy.ts'
import { getBlob } from './blobs.ts'
import { getManifest, headManifest, putManifest } from './manifests.ts'
import type { RegistryClient } from './registry-client.ts'
import { listReferrers } from './referrers.ts'
import { listTags } from './tags.ts'
import { createRequestContext, retryBodyCuts } from './request-context.ts'

/** Everything the client needs from its runtime. */
export interface RegistryClientOptions {
  /** Injected fetch: undici on Node, the global on Workers, a fake in tests. */
  fetch: typeof fetch
  /** Configured registries by host key ("127.0.0.1:5000", "docker.io"); no other host is contacted. */
  registries: Record<string, RegistryOptions>
  userAgent?: string
  log?: Logger
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number; deadlineMs?: number }
  sleep?: (ms: number) => Promise<void>
  /** Millisecond clock for token expiry, Retry-After dates and deadlines. */
  now?: () => number
  /** `sha256:<hex>` of bytes; defaults to Web Crypto (Node passes a synchronous node:crypto hash: no thread-pool hop). */
  computeDigest?: (bytes: Uint8Array) => Promise<string>
}

/** The repositories a coming sequence of calls will read and write. */
export type AccessPlan = Parameters<NonNullable<RegistryClient['declareAccess']>>[0]

/** The HTTP registry client: the port with `declareAccess` always present. */
export type HttpRegistryClient = Required<Pick<RegistryClient, 'declareAccess'>> & RegistryClient

const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, deadlineMs: 30_000 }
const MAX_TAGS = 100_000

/** Creates a registry client; every method throws RegistryError on failure. */
export function createRegistryClient(options: RegistryClientOptions): HttpRegistryClient {
  const context = createRequestContext(options.registries, {
    fetch: options.fetch,
    userAgent: options.userAgent ?? 'manifest-hook/0.1',
    retry: { ...DEFAULT_RETRY, ...options.retry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: options.now ?? Date.now,
    log: options.log ?? silentLogger,
    digest: options.computeDigest ?? computeDigest,
  })
  const noReferrersApi = new Set<string>()
  return {
    getManifest: (repo, reference) => retryBodyCuts(context, 'GET', `${repo.registry}/${repo.repository}/manifests/${reference}`, () => getManifest(context, repo, reference)),
    headManifest: (repo, reference) => headManifest(context, repo, reference),
    putManifest: (repo, reference, manifest, putOptions) => putManifest(context, repo, reference, manifest, putOptions),
    getBlob: (repo, digest, maxBytes) => retryBodyCuts(context, 'GET', `${repo.registry}/${repo.repository}/blobs/${digest}`, () => getBlob(context, repo, digest, maxBytes)),
    copyBlob: (from, to, blob) => copyBlob(context, from, to, blob),
    listReferrers: (repo, digest) => retryBodyCuts(context, 'GET', `${repo.registry}/${repo.repository}/referrers/${digest}`, () => listReferrers(context, noReferrersApi, repo, digest)),
    listTags: (repo) => retryBodyCuts(context, 'GET', `${repo.registry}/${repo.repository}/tags/list`, () => listTags(context, repo, MAX_TAGS)),
    declareAccess: (plan) => {
      for (const repo of plan.pull ?? []) context.auth.declare(repo.registry, [pullScope(repo.repository)])
      for (const repo of plan.push ?? []) context.auth.declare(repo.registry, [pushScope(repo.repository)])
    },
  }
}
