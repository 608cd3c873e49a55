// Registries and token servers that misbehave on purpose: none of them gets credentials it should
// not, makes the client loop, or blocks later calls once it behaves again.
import { describe, expect, it } from 'vitest'
import { parseChallenge } from '../../src/registry/auth-challenge.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry, createFetchRouter } from '../support/fake-registry.ts'
import { createClock, createTestClient, registryOptions, repo } from './client-fixture.ts'

const HOST = 'registry.test'
const USER = 'ci-bot'
const PASSWORD = 'Pa55-very-secret-word'
const src = repo(HOST, 'demo/src')

async function bearerRegistry(tokenAnswers: Array<() => Response>, tokenExpiresIn = 300) {
  const clock = createClock()
  const fake = createFakeRegistry({ host: HOST, auth: 'bearer', users: { [USER]: PASSWORD }, now: clock.now, tokenExpiresIn })
  const image = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'hostile', format: 'oci' })
  await seedFakeImage(fake, 'demo/src', 'v1', image)
  let tokenCalls = 0
  // The token server answers from the script first, then as the fake registry's real one.
  const fetch = (async (input: string | URL, init?: RequestInit) => {
    if (new URL(String(input)).pathname === '/token') {
      tokenCalls++
      const scripted = tokenAnswers.shift()
      if (scripted) return scripted()
    }
    return fake.fetch(input, init)
  }) as typeof globalThis.fetch
  const test = createTestClient(fetch, { [HOST]: registryOptions({ insecure: false, username: USER, password: PASSWORD }) }, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } }, clock)
  return { fake, tokenCalls: () => tokenCalls, ...test }
}

describe('a malicious token server', () => {
  it.each([
    ['a huge token (100 KB)', () => Response.json({ token: 'a'.repeat(100_000), expires_in: 300 })],
    ['a token with CR/LF in it', () => Response.json({ token: 'abc\r\nX-Injected: 1', expires_in: 300 })],
    ['a token with a space', () => Response.json({ token: 'abc def', expires_in: 300 })],
  ])('%s: the call fails, the next one gets a good token', async (_, answer) => {
    const { client, tokenCalls } = await bearerRegistry([answer])
    await expect(client.getManifest(src, 'v1')).rejects.toMatchObject({ code: 'REGISTRY_ERROR', reason: 'unauthorized' })
    expect(tokenCalls()).toBe(1)
    await expect(client.getManifest(src, 'v1')).resolves.toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json' })
    expect(tokenCalls()).toBe(2)
  })

  it('expires_in of 10^15: the token is asked for again after an hour', async () => {
    const { client, clock, tokenCalls } = await bearerRegistry([], 1e15)
    await client.getManifest(src, 'v1')
    expect(tokenCalls()).toBe(1)
    clock.advance(3_500_000)
    await client.getManifest(src, 'v1')
    expect(tokenCalls()).toBe(1)
    clock.advance(100_000)
    await client.getManifest(src, 'v1')
    expect(tokenCalls()).toBe(2)
  })

  it('a token the registry answers with 403 is dropped, not reused until it expires', async () => {
    const { client, fake, tokenCalls } = await bearerRegistry([])
    await client.getManifest(src, 'v1')
    let refuse = 1
    fake.onRequest = (request) => (request.method === 'HEAD' && refuse-- > 0 ? Response.json({ errors: [{ code: 'DENIED' }] }, { status: 403 }) : undefined)
    await expect(client.headManifest(src, 'v1')).rejects.toMatchObject({ status: 403 })
    await expect(client.headManifest(src, 'v1')).resolves.toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json' })
    expect(tokenCalls()).toBe(2)
  })
})

describe('a registry that sends an upload elsewhere', () => {
  it('gets no credentials there and the copy fails clearly', async () => {
    const fake = createFakeRegistry({ host: HOST, auth: 'basic', users: { [USER]: PASSWORD } })
    const image = await buildFakeImage({ platform: { os: 'linux', architecture: 'amd64' }, seed: 'elsewhere', format: 'oci' })
    await seedFakeImage(fake, 'demo/src', 'v1', image)
    const elsewhere: Request[] = []
    fake.onRequest = (request) =>
      request.method === 'POST' && new URL(request.url).pathname.endsWith('/blobs/uploads/')
        ? new Response(null, { status: 202, headers: { location: 'https://collector.evil.test/upload/1' } })
        : undefined
    const fetch = createFetchRouter({ [HOST]: (r) => fake.handle(r), 'collector.evil.test': (r) => (elsewhere.push(r), new Response(null, { status: 201 })) })
    const { client } = createTestClient(fetch, { [HOST]: registryOptions({ insecure: false, username: USER, password: PASSWORD }), 'other.test': registryOptions() })
    const error = await client.copyBlob(repo(HOST, 'demo/src'), repo(HOST, 'demo/app'), image.layers[0]!.descriptor).catch((e: unknown) => e)
    expect((error as Error).message).toBe(`PUT https://collector.evil.test/upload/1: the upload Location is not on registry "${HOST}" (https://${HOST}); refused`)
    expect(elsewhere).toEqual([])
  })
})

describe('a registry that pages tags in a circle', () => {
  it('stops at the first cursor seen before', async () => {
    const fake = createFakeRegistry({ host: HOST })
    let calls = 0
    fake.onRequest = (request) => {
      if (!new URL(request.url).pathname.endsWith('/tags/list')) return undefined
      calls++
      const last = new URL(request.url).searchParams.get('last') === 'b' ? 'a' : 'b'
      return Response.json({ name: 'demo/src', tags: [`t${calls}`] }, { headers: { link: `</v2/demo/src/tags/list?n=1000&last=${last}>; rel="next"` } })
    }
    const { client } = createTestClient(fake.fetch, { [HOST]: registryOptions() })
    expect(await client.listTags(src)).toEqual(['t1', 't2', 't3'])
    expect(calls).toBe(3)
  })
})

describe('parseChallenge on hostile headers', () => {
  it.each([
    ['a long run of token characters', `Bearer ${'a'.repeat(8000)}`],
    ['many unterminated quotes', `Bearer ${'a="'.repeat(2600)}`],
    ['many keys without values', `Bearer ${'k '.repeat(4000)}`],
  ])('%s: linear (under 10 ms)', (_, header) => {
    const started = performance.now()
    parseChallenge(header)
    expect(performance.now() - started).toBeLessThan(10)
  })

  it('still reads quoted, escaped and bare parameters, the first of each winning', () => {
    expect(parseChallenge('Bearer realm="https://auth.test/token",service=reg, scope="repository:a:pull repository:b:pull",realm="https://evil.test"')).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.test/token',
      service: 'reg',
      scopes: ['repository:a:pull', 'repository:b:pull'],
    })
    expect(parseChallenge('Bearer realm="a\\"b"')).toMatchObject({ realm: 'a"b' })
    expect(parseChallenge(`Bearer realm="x"${' '.repeat(9000)}`)).toBeUndefined()
  })
})
