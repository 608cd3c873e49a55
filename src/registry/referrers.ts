/**
 * Referrers of a manifest (signatures, SBOMs: manifests whose `subject` names it): the referrers
 * API where the registry has one, else the referrers tag schema (`sha256-<hex>`, an OCI index).
 * Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
import type { Descriptor } from '../core/image-documents.ts'
import { parseImageIndex } from '../core/image-documents.ts'
import { MEDIA_TYPES } from '../core/media-types.ts'
import type { RepositoryName } from '../core/reference.ts'
import { pullScope } from './auth-challenge.ts'
import { discardBody, readCapped } from './body.ts'
import { buildRegistryUrl } from './endpoint.ts'
import { RegistryError } from './errors.ts'
import { getManifest } from './manifests.ts'
import { expectStatus, type RequestContext } from './request-context.ts'

const MAX_INDEX_BYTES = 4 * 1024 * 1024

/** Returns the referrers tag of a subject digest (`sha256:<hex>` -> `sha256-<hex>`). */
export function formatReferrersTag(digest: string): string {
  return digest.replace(':', '-')
}

/**
 * Lists the referrers of `digest` in `repo`. `noApi` remembers registries that answered 404 to the
 * API (distribution 2.8 has none), so they are asked only for the fallback tag from then on.
 */
export async function listReferrers(context: RequestContext, noApi: Set<string>, repo: RepositoryName, digest: string): Promise<Descriptor[]> {
  if (!noApi.has(repo.registry)) {
    const listed = await fetchReferrersApi(context, repo, digest)
    if (listed) return listed
    noApi.add(repo.registry)
  }
  return fetchReferrersTag(context, repo, digest)
}

// The API answers an image index; 404 means the registry does not implement it (spec: "fall back
// to the referrers tag schema"), not that there are no referrers.
async function fetchReferrersApi(context: RequestContext, repo: RepositoryName, digest: string): Promise<Descriptor[] | undefined> {
  const endpoint = context.endpoint(repo, 'GET')
  const url = buildRegistryUrl(endpoint, repo.repository, 'referrers', digest)
  const headers = { Accept: MEDIA_TYPES.ociIndex }
  const response = await context.send(endpoint, { method: 'GET', url, headers, scopes: [pullScope(repo.repository)], deadline: context.deadline() })
  if (response.status === 404) {
    await discardBody(response)
    return undefined
  }
  await expectStatus(response, [200], 'GET', url)
  const bytes = await readCapped(response, MAX_INDEX_BYTES)
  if (!bytes) throw new RegistryError({ reason: 'too-large', method: 'GET', url, detail: 'referrers index too large' })
  return parseReferrers(bytes, url)
}

async function fetchReferrersTag(context: RequestContext, repo: RepositoryName, digest: string): Promise<Descriptor[]> {
  try {
    const manifest = await getManifest(context, repo, formatReferrersTag(digest))
    return parseReferrers(manifest.bytes, formatReferrersTag(digest))
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return []
    throw error
  }
}

function parseReferrers(bytes: Uint8Array, where: URL | string): Descriptor[] {
  const index = parseImageIndex(bytes)
  if (!index.ok) throw new RegistryError({ reason: 'http', method: 'GET', url: String(where), detail: `invalid referrers index: ${index.reason}` })
  return index.value.manifests
}
