import { describe, expect, it } from 'vitest'
import { RegistryError } from '../../src/registry/errors.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createTestClient, registryOptions, repo } from './client-fixture.ts'

const HOST = 'registry.test'

describe('listTags', () => {
  it('follows the pages of the fake registry (sorted, 1,000 at a time) and finds none for an unknown repository', async () => {
    const registry = createFakeRegistry({ host: HOST })
    const tags = Array.from({ length: 2_345 }, (_, i) => `v1.0.${i}`)
    for (const tag of tags) await registry.putManifest('demo/app', tag, new TextEncoder().encode('{"schemaVersion":2}'), 'application/vnd.oci.image.manifest.v1+json')
    const { client } = createTestClient(registry.fetch, { [HOST]: registryOptions() })
    expect(await client.listTags(repo(HOST, 'demo/app'))).toEqual([...tags].sort())
    expect(registry.requests.filter((r) => r.path.endsWith('/tags/list')).map((r) => r.query)).toEqual(['?n=1000', '?n=1000&last=v1.0.1898', '?n=1000&last=v1.0.688'])
    expect(await client.listTags(repo(HOST, 'demo/unknown'))).toEqual([])
  })

  it('takes only `last` from a Link header: the next page is asked of the configured host', async () => {
    const asked: string[] = []
    const fetch = (async (input: string | URL | Request) => {
      const url = new URL(input instanceof Request ? input.url : input)
      asked.push(url.href)
      const first = !url.searchParams.has('last')
      const headers = first ? { link: '<https://elsewhere.example/v2/x/tags/list?last=b&n=1000>; rel="next"' } : undefined
      return Response.json({ name: 'demo/app', tags: first ? ['a', 'b'] : null }, headers ? { headers } : {})
    }) as typeof globalThis.fetch
    const { client } = createTestClient(fetch, { [HOST]: registryOptions() })
    expect(await client.listTags(repo(HOST, 'demo/app'))).toEqual(['a', 'b'])
    expect(asked).toEqual([`http://${HOST}/v2/demo/app/tags/list?n=1000`, `http://${HOST}/v2/demo/app/tags/list?n=1000&last=b`])
  })

  it('gives a RegistryError for an answer that is not a tag list', async () => {
    const fetch = (async () => Response.json({ tags: 'nope' })) as unknown as typeof globalThis.fetch
    const { client } = createTestClient(fetch, { [HOST]: registryOptions() })
    await expect(client.listTags(repo(HOST, 'demo/app'))).rejects.toBeInstanceOf(RegistryError)
  })
})
