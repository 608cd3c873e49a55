// Concurrent first requests to a token registry: both get the 401 challenge before any token
// exists; answering it must share one token request (found by the e2e token-auth test, where the
// manifest GET and the early config GET of the first arrival each fetched a token).
import { describe, expect, it } from 'vitest'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createTestClient, registryOptions, repo } from './client-fixture.ts'

const HOST = 'registry.test'
const USER = 'ci-bot'
const PASSWORD = 'Pa55-very-secret-word'

describe('Bearer auth, first contact', () => {
  it('answers the challenges of concurrent first requests with one token request', async () => {
    const fake = createFakeRegistry({ host: HOST, auth: 'bearer', users: { [USER]: PASSWORD } })
    const image = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'first', format: 'oci' })
    await seedFakeImage(fake, 'demo/app', 'v1', image)
    const { client } = createTestClient(fake.fetch, { [HOST]: registryOptions({ insecure: false, username: USER, password: PASSWORD }) })
    const app = repo(HOST, 'demo/app')
    client.declareAccess({ pull: [app], push: [app] })
    await Promise.all([client.getManifest(app, 'v1'), client.getBlob(app, image.config.descriptor.digest)])
    expect(fake.tokenRequests.map((r) => r.scopes)).toEqual([['repository:demo/app:pull,push']])
  })

})
