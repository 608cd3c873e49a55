// The registry client's credentials source (ECR on Lambda): asked before every request, its
// answer replaces the configured credentials for Basic and for token requests; undefined leaves them.
import { describe, expect, it } from 'vitest'
import type { RegistryEndpoint } from '../../src/registry/endpoint.ts'
import { Secret } from '../../src/secret.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import type { FakeAuthMode } from '../support/fake-registry-auth.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createTestClient, registryOptions, repo } from './client-fixture.ts'

const HOST = 'registry.test'
const src = repo(HOST, 'demo/src')

async function setup(auth: FakeAuthMode, answer: (endpoint: RegistryEndpoint) => { username: string; password: string } | undefined) {
  const fake = createFakeRegistry({ host: HOST, auth, users: { AWS: 'issued-password', bot: 'configured-password' } })
  await seedFakeImage(fake, 'demo/src', 'v1', await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'credentials', format: 'oci' }))
  const asked: string[] = []
  const credentials = async (endpoint: RegistryEndpoint) => {
    asked.push(endpoint.host)
    const found = answer(endpoint)
    return found && { username: new Secret(found.username), password: new Secret(found.password) }
  }
  const { client } = createTestClient(fake.fetch, { [HOST]: registryOptions({ insecure: false, username: 'bot', password: 'wrong' }) }, { credentials })
  return { fake, client, asked }
}

describe('registry credentials source', () => {
  it('sends the credentials it hands out, for Basic', async () => {
    const { fake, client, asked } = await setup('basic', () => ({ username: 'AWS', password: 'issued-password' }))
    await client.getManifest(src, 'v1')
    expect(fake.requests.map((r) => r.status)).toEqual([401, 200])
    expect(fake.requests[1]?.headers.authorization).toBe(`Basic ${btoa('AWS:issued-password')}`)
    // Asked once per request sent; the answer to the challenge reuses it.
    expect(asked).toEqual([HOST])
  })

  it('sends them to the token realm of a Bearer challenge', async () => {
    const { fake, client } = await setup('bearer', () => ({ username: 'AWS', password: 'issued-password' }))
    await client.getManifest(src, 'v1')
    expect(fake.tokenRequests.map((r) => r.username)).toEqual(['AWS'])
  })

  it('leaves the configured credentials when it has none for the host', async () => {
    const { fake, client } = await setup('basic', () => undefined)
    await expect(client.getManifest(src, 'v1')).rejects.toMatchObject({ reason: 'unauthorized' })
    expect(fake.requests[1]?.headers.authorization).toBe(`Basic ${btoa('bot:wrong')}`)
  })
})
