/**
 * Tag listing (`GET /v2/<name>/tags/list`), page by page. Spec:
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
import type { RepositoryName } from '../core/reference.ts'
import { pullScope } from './auth-challenge.ts'
import { discardBody, readCapped } from './body.ts'
import { buildRegistryUrl } from './endpoint.ts'
import { RegistryError } from './errors.ts'
import { expectStatus, type RequestContext } from './request-context.ts'

const PAGE_SIZE = 1000
const MAX_PAGE_BYTES = 4 * 1024 * 1024

/** Lists every tag of `repo` (at most `maxTags`); a repository that does not exist has none. */
export async function listTags(context: RequestContext, repo: RepositoryName, maxTags: number): Promise<string[]> {
  const tags: string[] = []
  const cursors = new Set<string>()
  let last: string | undefined
  for (;;) {
    const page = await fetchPage(context, repo, last)
    tags.push(...page.tags)
    // Only `last` is taken from the Link header: the next URL is ours, on the configured host. A
    // cursor seen before would page in a circle: the listing ends there.
    if (page.next === undefined || page.tags.length === 0 || tags.length >= maxTags || cursors.has(page.next)) return tags.slice(0, maxTags)
    cursors.add(page.next)
    last = page.next
  }
}

async function fetchPage(context: RequestContext, repo: RepositoryName, last: string | undefined): Promise<{ tags: string[]; next?: string }> {
  const endpoint = context.endpoint(repo, 'GET')
  const url = buildRegistryUrl(endpoint, repo.repository, 'tags', 'list')
  url.searchParams.set('n', String(PAGE_SIZE))
  if (last !== undefined) url.searchParams.set('last', last)
  const response = await context.send(endpoint, { method: 'GET', url, scopes: [pullScope(repo.repository)], deadline: context.deadline() })
  if (response.status === 404) {
    await discardBody(response)
    return { tags: [] }
  }
  await expectStatus(response, [200], 'GET', url)
  const bytes = await readCapped(response, MAX_PAGE_BYTES)
  const tags = bytes && parseTagList(bytes)
  if (!tags) throw new RegistryError({ reason: 'http', method: 'GET', url, status: 200, detail: 'not a tag list' })
  return { tags, ...nextPage(response.headers.get('link'), tags) }
}

// `{"name": …, "tags": [...]}`; `tags` is null for a repository whose tags were all deleted (distribution 2.8).
function parseTagList(bytes: Uint8Array): string[] | undefined {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined
  }
  if (typeof json !== 'object' || json === null) return undefined
  const tags = (json as { tags?: unknown }).tags ?? []
  return Array.isArray(tags) && tags.every((tag) => typeof tag === 'string') ? tags : undefined
}

// `Link: </v2/<name>/tags/list?n=1000&last=<tag>>; rel="next"`; without `last` in it, the page's last tag.
// Scanned with indexOf, not a backtracking pattern: the header is the registry's text.
function nextPage(link: string | null, tags: string[]): { next?: string } {
  const start = link?.indexOf('<') ?? -1
  const end = start < 0 ? -1 : link!.indexOf('>', start)
  if (end < 0 || !/^\s*;\s*rel="?next"?/.test(link!.slice(end + 1, end + 64))) return {}
  const target = link!.slice(start + 1, end)
  const last = new URL(target, 'http://link.invalid').searchParams.get('last') ?? tags.at(-1)
  return last === undefined ? {} : { next: last }
}
