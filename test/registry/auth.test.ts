import { describe, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { RegistryError } from '../../src/registry/errors.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry, createFetchRouter, type FakeRegistry, type FakeRegistryOptions } from '../support/fake-registry.ts'
import { createClock, createTestClient, registryOptions, repo } from './client-fixture.ts'

const HOST = 'registry.test'
const USER = 'ci-bot'
const PASSWORD = 'Pa55-very-secret-word'
const creds = { username: USER, password: PASSWORD }
const src = repo(HOST, 'demo/src')
const dst = repo(HOST, 'demo/app')

async function setup(options: FakeRegistryOptions, credentials: { username?: string; password?: string } = creds, clock = createClock()) {
  const fake = createFakeRegistry({ host: HOST, now: clock.now, ...options })
  const image = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'auth', format: 'oci' })
  await seedFakeImage(fake, 'demo/src', 'v1', image)
  const test = createTestClient(fake.fetch, { [HOST]: registryOptions({ insecure: false, ...credentials }) }, {}, clock)
  return { fake, image, ...test }
}

const statuses = (fake: FakeRegistry) => fake.requests.filter((r) => r.path !== '/token').map((r) => `${r.method} ${r.status}`)
const unauthorizedCount = (fake: FakeRegistry) => fake.requests.filter((r) => r.status === 401).length

/** Everything an error or a log could leak. */
function expectNoSecret(...texts: string[]) {
  const basic = btoa(`${USER}:${PASSWORD}`)
  for (const text of texts) {
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain(basic)
    expect(text).not.toContain('fake-token-')
  }
}

describe('Basic auth', () => {
  it('answers the first 401 with Basic, then sends it up front', async () => {
    const { fake, client } = await setup({ auth: 'basic', users: { [USER]: PASSWORD } })
    await client.getManifest(src, 'v1')
    await client.headManifest(src, 'v1')
    expect(statuses(fake)).toEqual(['GET 401', 'GET 200', 'HEAD 200'])
    expect(fake.requests[1]!.headers.authorization).toBe(`Basic ${btoa(`${USER}:${PASSWORD}`)}`)
  })

  it('fails with reason unauthorized when no credentials are configured, after one request', async () => {
    const { fake, client } = await setup({ auth: 'basic', users: { [USER]: PASSWORD } }, {})
    await expect(client.getManifest(src, 'v1')).rejects.toMatchObject({ reason: 'unauthorized', status: 401 })
    expect(statuses(fake)).toEqual(['GET 401'])
  })

  it('reports wrong credentials once, without leaking them', async () => {
    const { fake, client, log } = await setup({ auth: 'basic', users: { [USER]: 'other' } })
    const error = await client.getManifest(src, 'v1').catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'unauthorized', status: 401, ociCodes: ['UNAUTHORIZED'] })
    expect(statuses(fake)).toEqual(['GET 401', 'GET 401'])
    expectNoSecret((error as Error).message, JSON.stringify(error), String((error as Error).stack), ...log.lines)
  })
})

describe('Bearer auth', () => {
  it('answers a 401 with a token request (Basic to the realm) and retries once', async () => {
    const { fake, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    await client.getManifest(src, 'v1')
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v2/demo/src/manifests/v1 401',
      'GET /token 200',
      'GET /v2/demo/src/manifests/v1 200',
    ])
    expect(fake.tokenRequests).toEqual([{ service: 'fake-registry', scopes: ['repository:demo/src:pull'], granted: ['repository:demo/src:pull'], username: USER }])
    expect(fake.requests[2]!.headers.authorization).toMatch(/^Bearer fake-token-/)
  })

  it('asks anonymously when no credentials are configured', async () => {
    const { fake, client } = await setup({ auth: 'bearer' }, {})
    await client.getManifest(src, 'v1')
    expect(fake.tokenRequests).toEqual([expect.not.objectContaining({ username: expect.anything() })])
    expect(fake.requests.find((r) => r.path === '/token')!.headers.authorization).toBeUndefined()
  })

  it('reuses tokens: reads, a mount and writes cost one token request after declareAccess', async () => {
    const { fake, image, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    client.declareAccess({ pull: [src], push: [dst] })
    await runPublish(client, image)
    expect(fake.tokenRequests).toHaveLength(1)
    expect(fake.tokenRequests[0]!.scopes).toEqual(['repository:demo/src:pull', 'repository:demo/app:pull,push'])
    expect(unauthorizedCount(fake)).toBe(1)
  })

  it('accumulates scopes without a declaration: one new token per new need, none for repeated needs', async () => {
    const { fake, image, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    await runPublish(client, image)
    await runPublish(client, image)
    expect(fake.tokenRequests.map((t) => t.scopes)).toEqual([
      ['repository:demo/src:pull'],
      ['repository:demo/app:pull,push', 'repository:demo/src:pull'],
    ])
    expect(unauthorizedCount(fake)).toBe(1)
  })

  it('keeps token requests bounded however many repositories are named: at most 16 resources beyond what the call needs', async () => {
    const { fake, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    for (let i = 0; i < 40; i++) {
      const repository = repo(HOST, `demo/many-${i}`)
      client.declareAccess({ pull: [repository, repo(HOST, `demo/extra-${i}`)] })
      await client.headManifest(repository, 'v1')
    }
    const sizes = fake.tokenRequests.map((t) => t.scopes.length)
    expect(sizes).toHaveLength(40)
    expect(Math.max(...sizes)).toBe(16)
    // The call's own need always comes first, then what was declared for the calls about to come.
    expect(fake.tokenRequests.at(-1)!.scopes.slice(0, 2)).toEqual(['repository:demo/many-39:pull', 'repository:demo/extra-39:pull'])
  })

  it('shares one in-flight token request between concurrent calls', async () => {
    const { fake, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    await client.headManifest(src, 'v1')
    client.declareAccess({ push: [dst] }) // forces the next call to need a new token
    await Promise.all([1, 2, 3].map(() => client.putManifest(dst, 'x', { bytes: new TextEncoder().encode('{}'), mediaType: MEDIA_TYPES.ociManifest })))
    expect(fake.tokenRequests).toHaveLength(2)
  })

  it('refreshes an expiring token before sending (10 s early), without a 401 round trip', async () => {
    const clock = createClock()
    const { fake, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD }, tokenExpiresIn: 60 }, creds, clock)
    await client.headManifest(src, 'v1')
    clock.advance(45_000)
    await client.headManifest(src, 'v1')
    expect(fake.tokenRequests).toHaveLength(1)
    clock.advance(6_000) // 51 s: inside the 10 s safety margin
    await client.headManifest(src, 'v1')
    expect(fake.tokenRequests).toHaveLength(2)
    expect(unauthorizedCount(fake)).toBe(1)
  })

  it('drops a token the registry refuses and fetches a new one once', async () => {
    const { fake, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    await client.headManifest(src, 'v1')
    // The registry revokes every token: answer the next request with invalid_token.
    let revoked = true
    fake.onRequest = (request) => {
      if (!revoked || !request.headers.get('authorization')) return undefined
      revoked = false
      return Response.json({ errors: [{ code: 'UNAUTHORIZED' }] }, {
        status: 401,
        headers: { 'WWW-Authenticate': `Bearer realm="https://${HOST}/token",service="fake-registry",error="invalid_token"` },
      })
    }
    await client.headManifest(src, 'v1')
    expect(statuses(fake)).toEqual(['HEAD 401', 'HEAD 200', 'HEAD 401', 'HEAD 200'])
    expect(fake.tokenRequests).toHaveLength(2)
  })

  it('answers insufficient_scope on a mount with a wider token and mounts', async () => {
    // The second token request is narrowed to its first scope (GitLab once honoured one scope only).
    const grantScopes = (requested: string[], call: number) => (call === 1 ? requested.slice(0, 1) : requested)
    const { fake, image, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD }, grantScopes })
    await client.headManifest(src, 'v1')
    expect(await client.copyBlob(src, dst, image.layers[0]!.descriptor)).toBe('mounted')
    expect(statuses(fake)).toEqual(['HEAD 401', 'HEAD 200', 'POST 401', 'POST 201'])
    expect(fake.tokenRequests.map((t) => t.scopes)).toEqual([
      ['repository:demo/src:pull'],
      ['repository:demo/app:pull,push', 'repository:demo/src:pull'],
      ['repository:demo/app:pull,push', 'repository:demo/src:pull'],
    ])
  })

  it('falls back to a streamed copy when the mount stays refused', async () => {
    const { fake, image, client } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    fake.onRequest = (request) =>
      new URL(request.url).searchParams.has('mount')
        ? Response.json({ errors: [{ code: 'UNAUTHORIZED' }] }, {
            status: 401,
            headers: { 'WWW-Authenticate': `Bearer realm="https://${HOST}/token",service="fake-registry",scope="repository:demo/app:pull,push repository:demo/src:pull",error="insufficient_scope"` },
          })
        : undefined
    expect(await client.copyBlob(src, dst, image.layers[0]!.descriptor)).toBe('copied')
    expect(statuses(fake)).toEqual(['POST 401', 'POST 401', 'POST 401', 'POST 202', 'GET 200', 'PUT 201'])
    expect(fake.hasBlob('demo/app', image.layers[0]!.descriptor.digest)).toBe(true)
  })

  it('reports wrong credentials at the token endpoint without leaking them', async () => {
    const { client, log } = await setup({ auth: 'bearer', users: { [USER]: 'other' } })
    const error = await client.getManifest(src, 'v1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect(error).toMatchObject({ reason: 'unauthorized', status: 401 })
    expect((error as Error).message).toMatch(/^GET https:\/\/registry\.test\/token\?service=fake-registry&scope=repository%3Ademo%2Fsrc%3Apull: 401/)
    expectNoSecret((error as Error).message, JSON.stringify(error), String((error as Error).stack), ...log.lines)
  })

  it('never logs credentials or tokens during a full publish with retries', async () => {
    const { fake, image, client, log } = await setup({ auth: 'bearer', users: { [USER]: PASSWORD } })
    fake.failNext(1, 503)
    await runPublish(client, image)
    expect(log.lines.length).toBeGreaterThan(0)
    expectNoSecret(...log.lines)
  })
})

describe('token realm guard', () => {
  type Case = [string, { realm: string; insecure?: boolean; tokenRealms?: string[]; host?: string }, boolean]
  const cases: Case[] = [
    // Another port is another server: before, the hostname alone decided and it got our credentials.
    ['same hostname, another port', { realm: `https://${HOST}:8443/token` }, false],
    ['same hostname, another port listed in tokenRealms', { realm: `https://${HOST}:8443/token`, tokenRealms: [`https://${HOST}:8443/`] }, true],
    ['another host', { realm: 'https://auth.test/token' }, false],
    ['another host listed in tokenRealms', { realm: 'https://auth.test/token', tokenRealms: ['https://auth.test/'] }, true],
    ['a host that only starts like a tokenRealms entry', { realm: 'https://auth.test.evil.test/token', tokenRealms: ['https://auth.test'] }, false],
    ['plain http for an https registry', { realm: `http://${HOST}/token` }, false],
    ['plain http for an insecure registry', { realm: `http://${HOST}/token`, insecure: true }, true],
    ['auth.docker.io for docker.io', { realm: 'https://auth.docker.io/token', host: 'docker.io' }, true],
    ['auth.docker.io for another registry', { realm: 'https://auth.docker.io/token' }, false],
  ]
  it.each(cases)('%s -> allowed: %s', async (_name, { realm, insecure = false, tokenRealms = [], host = HOST }, allowed) => {
    const apiHost = host === 'docker.io' ? 'registry-1.docker.io' : HOST
    const fake = createFakeRegistry({ host: apiHost, auth: 'bearer', users: { [USER]: PASSWORD }, realm })
    const image = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'g', format: 'oci' })
    await seedFakeImage(fake, 'demo/src', 'v1', image)
    const realmHits: string[] = []
    const fetch = createFetchRouter({
      [apiHost]: fake.handle,
      [new URL(realm).host]: (request) => {
        if (new URL(request.url).pathname === '/token') realmHits.push(request.url)
        return fake.handle(request)
      },
    })
    const { client } = createTestClient(fetch, { [host]: registryOptions({ insecure, tokenRealms, ...creds }) })
    const result = await client.getManifest(repo(host, 'demo/src'), 'v1').catch((e: unknown) => e)
    if (allowed) {
      expect(result).not.toBeInstanceOf(Error)
      expect(realmHits).toHaveLength(1)
    } else {
      expect(result).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'realm-refused' })
      expect(realmHits).toEqual([])
      expectNoSecret((result as Error).message, JSON.stringify(result))
    }
  })
})

async function runPublish(client: ReturnType<typeof createTestClient>['client'], image: Awaited<ReturnType<typeof buildFakeImage>>) {
  await client.getManifest(src, 'v1')
  await client.getBlob(src, image.config.descriptor.digest)
  for (const item of [image.config, ...image.layers]) await client.copyBlob(src, dst, item.descriptor)
  await client.putManifest(dst, image.manifest.descriptor.digest, { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest })
  await client.putManifest(dst, 'v1', { bytes: image.manifest.bytes, mediaType: MEDIA_TYPES.ociManifest }, { headFirst: true })
  await client.headManifest(src, 'v1')
}
