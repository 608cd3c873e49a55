/**
 * A RegistryClient loaded on first use: the registry client (transport, auth, blob copy) is a lazy
 * bundle chunk, and invocations that talk to no registry (webhooks, which only record arrivals)
 * never load it.
 */
import type { RegistryClient } from '../../registry/registry-client.ts'
import { once } from './once.ts'

/** Wraps `load` (called once, on the first operation; a failed load is retried) as a RegistryClient. */
export function createLazyRegistry(load: () => Promise<RegistryClient>): RegistryClient {
  const client = once(load)
  return {
    getManifest: async (repo, reference) => (await client()).getManifest(repo, reference),
    headManifest: async (repo, reference) => (await client()).headManifest(repo, reference),
    putManifest: async (repo, reference, manifest, options) => (await client()).putManifest(repo, reference, manifest, options),
    getBlob: async (repo, digest, maxBytes) => (await client()).getBlob(repo, digest, maxBytes),
    copyBlob: async (from, to, blob) => (await client()).copyBlob(from, to, blob),
    // A hint: applied once the client is there, before the calls made after it (promise callbacks run in order).
    declareAccess: (plan) => void client().then((loadedClient) => loadedClient.declareAccess?.(plan), () => undefined),
    listReferrers: async (repo, digest) => (await client()).listReferrers(repo, digest),
    listTags: async (repo) => (await client()).listTags(repo),
  }
}
