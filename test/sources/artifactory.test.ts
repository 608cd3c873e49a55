import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { artifactorySource, type ArtifactoryOptions } from '../../src/sources/artifactory.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'
import { bytesOf, hmacSha256 } from './helpers/signing.ts'

const HOST = 'acme.jfrog.io'
const options: ArtifactoryOptions = { secrets: [new Secret('old-jfrog-secret'), new Secret('jfrog-secret')], signing: 'hmac', registry: HOST, repoKeyInPath: true }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('artifactory', name)[0]!
const json = { 'content-type': 'application/json' }

/** A docker `pushed` body for `<repo_key>/<image>:<tag>` (from the fixture). */
function pushedBody(image: string, tag: string, repoKey = 'docker-local'): string {
  const body = structuredClone(fixture('docker-pushed.json').body) as any
  Object.assign(body.data, { repo_key: repoKey, image_name: image, tag, path: `${image}/${tag}/manifest.json` })
  return JSON.stringify(body)
}

const signedHeaders = async (body: string, secret = 'jfrog-secret') => ({ ...json, 'x-jfrog-event-auth': await hmacSha256(secret, bytesOf(body)) })

describe('artifactory source: verify', () => {
  it('accepts the HMAC-SHA256 of the body under any configured secret', async () => {
    const body = pushedBody('app-amd64', 'v1.0.2')
    for (const secret of ['jfrog-secret', 'old-jfrog-secret']) {
      await expect(artifactorySource.verify(rawDelivery(body, await signedHeaders(body, secret)), options)).resolves.toBeUndefined()
    }
  })

  it('refuses a wrong secret, a changed body, the bare secret in HMAC mode and a missing header', async () => {
    const body = pushedBody('app-amd64', 'v1.0.2')
    await expect(artifactorySource.verify(rawDelivery(body, await signedHeaders(body, 'guess')), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(artifactorySource.verify(rawDelivery(pushedBody('app-amd64', 'v1.0.3'), await signedHeaders(body)), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(artifactorySource.verify(rawDelivery(body, { ...json, 'x-jfrog-event-auth': 'jfrog-secret' }), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(artifactorySource.verify(rawDelivery(body, json), options)).rejects.toThrow(/missing/)
  })

  it('in `secret` mode compares the header with the secret itself', async () => {
    const plain = { ...options, signing: 'secret' as const }
    await expect(artifactorySource.verify(rawDelivery('{}', { ...json, 'x-jfrog-event-auth': 'jfrog-secret' }), plain)).resolves.toBeUndefined()
    await expect(artifactorySource.verify(rawDelivery('{}', { ...json, 'x-jfrog-event-auth': 'nope' }), plain)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})

describe('artifactory source: parse', () => {
  const parse = (name: string, opts = options) => artifactorySource.parse(deliveryOf(fixture(name)), opts, context)

  it('maps a pushed tag to <host>/<repo_key>/<image> on the configured registry, without a digest hint', () => {
    expect(parse('docker-pushed.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'docker-local/app-amd64', tag: 'v1.0.2' }])
  })

  it("maps the docs' flat docker example (no domain / data) like the envelope", () => {
    expect(parse('docker-pushed-flat.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'docker-remote-cache/library/ubuntu', tag: 'latest' }])
    const flat = (fields: object) => artifactorySource.parse(rawDelivery(JSON.stringify({ ...(fixture('docker-pushed-flat.json').body as object), ...fields }), json), options, context)
    expect(flat({ event_type: 'deleted' })).toEqual([{ kind: 'ignored', reason: 'event type "deleted"' }])
    expect(flat({ domain: 'artifact' })).toEqual([{ kind: 'ignored', reason: 'domain "artifact"' }])
    expect(() => flat({ tag: 7 })).toThrow(InvalidPayloadError)
    // With a `domain`, the fields are read from `data` only.
    expect(() => flat({ domain: 'docker' })).toThrow(InvalidPayloadError)
  })

  it('supports the subdomain / port access methods and a virtual repository', () => {
    expect(parse('docker-pushed.json', { ...options, repoKeyInPath: false })[0]).toMatchObject({ repository: 'app-amd64' })
    expect(parse('docker-pushed.json', { ...options, virtualRepo: 'docker' })[0]).toMatchObject({ repository: 'docker/app-amd64' })
  })

  it('ignores deleted tags and other domains', () => {
    expect(parse('docker-deleted.json')).toEqual([{ kind: 'ignored', reason: 'event type "deleted"' }])
    expect(parse('artifact-deployed.json')).toEqual([{ kind: 'ignored', reason: 'domain "artifact"' }])
  })

  it('refuses a wrong content type (415) and malformed bodies (400)', () => {
    expect(() => artifactorySource.parse(deliveryOf(fixture('docker-pushed.json'), { 'content-type': 'text/plain' }), options, context)).toThrow(UnsupportedMediaTypeError)
    expect(() => artifactorySource.parse(rawDelivery('{"domain":"docker","event_type":"pushed","data":{"tag":1}}', json), options, context)).toThrow(InvalidPayloadError)
    expect(() => artifactorySource.parse(rawDelivery('{"domain":"docker"}', json), options, context)).toThrow(InvalidPayloadError)
  })
})

describe('artifactory through the app (fake *.jfrog.io)', () => {
  const sources = { artifactory: { secret: ['old-jfrog-secret', 'jfrog-secret'], registry: HOST } }
  const harness = () => createProviderHarness({ host: HOST, sources, from: 'docker-local/app-{arch}:{version}', target: 'docker-local/app' })

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      await h.seed(`docker-local/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      const body = pushedBody(`app-${arch}`, 'v1.0.2')
      expect((await h.post('/webhooks/artifactory', body, await signedHeaders(body))).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('publishes from flat bodies (the documented example shape)', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      await h.seed(`docker-local/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      const body = JSON.stringify({ ...(fixture('docker-pushed-flat.json').body as object), repo_key: 'docker-local', image_name: `app-${arch}`, tag: 'v1.0.2' })
      expect((await h.post('/webhooks/artifactory', body, await signedHeaders(body))).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 2xx for unknown images and deletes and touches nothing', async () => {
    const h = harness()
    const unknown = pushedBody('unrelated', 'v1')
    expect((await h.post('/webhooks/artifactory', unknown, await signedHeaders(unknown))).status).toBe(202)
    const deleted = JSON.stringify(fixture('docker-deleted.json').body)
    expect((await h.post('/webhooks/artifactory', deleted, await signedHeaders(deleted))).status).toBe(202)
    await h.expectUntouched()
  })

  it('refuses bad signatures and content types with a JSON error; touches nothing', async () => {
    const h = harness()
    const body = pushedBody('app-amd64', 'v1.0.2')
    await expectError(await h.post('/webhooks/artifactory', body, await signedHeaders(body, 'wrong')), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/artifactory', body, json), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/artifactory', body, { ...(await signedHeaders(body)), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    await h.expectUntouched()
  })
})
