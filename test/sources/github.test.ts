import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { gitHubSource } from '../../src/sources/github.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'
import { bytesOf, hmacSha256 } from './helpers/signing.ts'

const HOST = 'ghcr.io'
const options = { secrets: [new Secret('old-gh-secret'), new Secret('gh-secret')], registry: HOST }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('github', name)[0]!
const D1 = `sha256:${'1'.repeat(64)}`
const D2 = `sha256:${'2'.repeat(64)}`

/** Headers of a delivery of `body` signed with `secret`. */
async function signed(body: string, event = 'package', secret = 'gh-secret'): Promise<Record<string, string>> {
  const signature = `sha256=${await hmacSha256(secret, bytesOf(body))}`
  return { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': 'delivery-1', 'x-hub-signature-256': signature }
}

/** A `package` published body for `Acme/<name>:<tag>` (from the fixture). */
function packageBody(name: string, tag: string, digest = D1): string {
  const body = structuredClone(fixture('package-published-tagged.json').body) as any
  body.package.name = name
  body.package.package_version.container_metadata.tag = { name: tag, digest }
  return JSON.stringify(body)
}

const parseFixture = (name: string) => {
  const captured = fixture(name)
  return gitHubSource.parse(deliveryOf(captured), options, context)
}

describe('github source: verify', () => {
  it('accepts the HMAC of the raw body under any configured secret (rotation)', async () => {
    const body = packageBody('app-amd64', 'v1.0.2')
    for (const secret of ['gh-secret', 'old-gh-secret']) {
      await expect(gitHubSource.verify(rawDelivery(body, await signed(body, 'package', secret)), options)).resolves.toBeUndefined()
    }
  })

  it('refuses a wrong secret, a changed body, a missing header and a legacy sha1 header alone', async () => {
    const body = packageBody('app-amd64', 'v1.0.2')
    const good = await signed(body)
    const { 'x-hub-signature-256': _, ...unsigned } = good
    await expect(gitHubSource.verify(rawDelivery(body, await signed(body, 'package', 'guess')), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(gitHubSource.verify(rawDelivery(`${body} `, good), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(gitHubSource.verify(rawDelivery(body, unsigned), options)).rejects.toThrow(/missing/)
    await expect(gitHubSource.verify(rawDelivery(body, { ...unsigned, 'x-hub-signature': 'sha1=00' }), options)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})

describe('github source: parse', () => {
  it('turns a tagged `package` published event into a lower-cased ghcr.io push', () => {
    expect(parseFixture('package-published-tagged.json')).toEqual([
      { kind: 'push', registry: HOST, repository: 'acme/app-amd64', tag: 'v1.0.2', digest: D1, mediaType: 'application/vnd.oci.image.index.v1+json', id: '00000000-0000-4000-8000-0000000000a1' },
    ])
  })

  it('reads the `registry_package` event the same way', () => {
    expect(parseFixture('registry-package-published.json')[0]).toMatchObject({ kind: 'push', repository: 'acme/app-amd64', tag: 'v1.0.2' })
  })

  it('ignores untagged children, `updated`, `ping` and other events', () => {
    expect(parseFixture('package-published-untagged.json')).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'push by digest (no tag)' })])
    expect(parseFixture('package-updated.json')).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'action "updated"' })])
    expect(parseFixture('ping.json')).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'event "ping"' })])
    const npm = JSON.parse(packageBody('lib', '1.0.0')) as any
    npm.package.package_type = 'npm'
    npm.package.ecosystem = 'npm'
    const delivery = rawDelivery(JSON.stringify(npm), { 'content-type': 'application/json', 'x-github-event': 'package' })
    expect(gitHubSource.parse(delivery, options, context)).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'package type "npm"' })])
  })

  it('reads a container package whose package_type says npm and ecosystem says docker, as GitHub\'s own examples do', () => {
    // octokit/webhooks payload-examples/api.github.com/package/published.docker.payload.json
    const body = JSON.parse(packageBody('app-amd64', 'v1.0.2')) as any
    body.package.package_type = 'npm'
    body.package.ecosystem = 'docker'
    const delivery = rawDelivery(JSON.stringify(body), { 'content-type': 'application/json', 'x-github-event': 'package' })
    expect(gitHubSource.parse(delivery, options, context)).toEqual([expect.objectContaining({ kind: 'push', tag: 'v1.0.2' })])
  })

  it('uses the configured registry (GHES) and never a host that is not configured', () => {
    const delivery = deliveryOf(fixture('package-published-tagged.json'))
    expect(gitHubSource.parse(delivery, options, { registries: ['containers.ghe.example'] })[0]).toMatchObject({ kind: 'ignored', reason: 'registry host is not configured' })
    const ghes = gitHubSource.parse(delivery, { ...options, registry: 'containers.ghe.example' }, { registries: ['containers.ghe.example'] })
    expect(ghes[0]).toMatchObject({ kind: 'push', registry: 'containers.ghe.example' })
  })

  it('refuses the form encoding (415), a missing event header and malformed bodies (400)', () => {
    const delivery = (body: string, headers: Record<string, string>) => () => gitHubSource.parse(rawDelivery(body, headers), options, context)
    expect(delivery('payload=%7B%7D', { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'package' })).toThrow(UnsupportedMediaTypeError)
    expect(delivery(packageBody('a', 'b'), { 'content-type': 'application/json' })).toThrow(InvalidPayloadError)
    expect(delivery('{"action":"published"}', { 'content-type': 'application/json', 'x-github-event': 'package' })).toThrow(InvalidPayloadError)
    expect(delivery('{"action":"published","package":{"name":1}}', { 'content-type': 'application/json', 'x-github-event': 'package' })).toThrow(InvalidPayloadError)
  })
})

describe('github through the app (fake ghcr.io)', () => {
  const harness = () => createProviderHarness({ host: HOST, sources: { github: { secret: ['old-gh-secret', 'gh-secret'] } }, from: 'acme/app-{arch}:{version}', target: 'acme/app' })
  const post = async (h: ReturnType<typeof harness>, body: string, event = 'package') => h.post('/webhooks/github', body, await signed(body, event))

  it('publishes the index from the tagged events and ignores the untagged children', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`acme/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await post(h, packageBody(`app-${arch}`, '', D2))).status).toBe(202)
      expect((await post(h, packageBody(`app-${arch}`, 'v1.0.2', digest))).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 404 for an unknown image (GitHub does not retry) and touches nothing', async () => {
    const h = harness()
    await expectError(await post(h, packageBody('unrelated', 'v1')), 404, 'NOT_FOUND')
    await h.expectUntouched()
  })

  it('answers ping with 2xx; refuses bad signatures and content types with a JSON error; touches nothing', async () => {
    const h = harness()
    expect((await post(h, JSON.stringify(fixture('ping.json').body), 'ping')).status).toBe(202)
    const body = packageBody('app-amd64', 'v1.0.2')
    await expectError(await h.post('/webhooks/github', body, await signed(body, 'package', 'wrong')), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/github', body, { 'content-type': 'application/json', 'x-github-event': 'package' }), 401, 'UNAUTHORIZED')
    await expectError(await h.post('/webhooks/github', body, { ...(await signed(body)), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    await h.expectUntouched()
  })
})
