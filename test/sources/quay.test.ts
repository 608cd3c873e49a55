import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { quaySource } from '../../src/sources/quay.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'

const HOST = 'quay.io'
const options = { secrets: [new Secret('old-quay-path-secret'), new Secret('quay-path-secret')] }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('quay', name)[0]!
const parse = (name: string, headers = {}) => quaySource.parse(deliveryOf(fixture(name), headers), options, context)
const json = { 'content-type': 'application/json' }

/** A repo_push body for `repository` with `tags` (from the fixture). */
function pushBody(repository: string, tags: string[]): string {
  return JSON.stringify({ ...(fixture('repo-push.json').body as object), repository, docker_url: `${HOST}/${repository}`, updated_tags: tags })
}

describe('quay source: verify', () => {
  it('checks the secret in the URL path against every configured secret', async () => {
    const delivery = (secret?: string) => rawDelivery('{}', json, secret === undefined ? {} : { secret })
    await expect(quaySource.verify(delivery('quay-path-secret'), options)).resolves.toBeUndefined()
    await expect(quaySource.verify(delivery('old-quay-path-secret'), options)).resolves.toBeUndefined()
    await expect(quaySource.verify(delivery('quay-path-secre'), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(quaySource.verify(delivery(), options)).rejects.toThrow(/missing/)
  })
})

describe('quay source: parse', () => {
  it('turns repo_push into one push per updated tag, host from docker_url', () => {
    expect(parse('repo-push.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'acme/app-amd64', tag: 'v1.0.2' }])
    expect(parse('repo-push-several-tags.json').map((e) => e.kind === 'push' && e.tag)).toEqual(['v1.0.2', 'v1.0'])
  })

  it('accepts the legacy object form of updated_tags', () => {
    expect(parse('repo-push-legacy.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'acme/app-amd64', tag: 'v1.0.2' }])
  })

  it('ignores notifications that are not repo_push', () => {
    expect(parse('build-success.json')).toEqual([{ kind: 'ignored', reason: 'not a repo_push notification', repository: 'acme/app-amd64' }])
  })

  it('never takes a docker_url host that is not configured; a pinned registry wins', () => {
    expect(quaySource.parse(deliveryOf(fixture('repo-push.json')), options, { registries: ['quay.example'] })[0]).toMatchObject({ reason: 'registry host is not configured' })
    expect(quaySource.parse(deliveryOf(fixture('repo-push.json')), { ...options, registry: 'quay.example' }, { registries: ['quay.example'] })[0]).toMatchObject({ kind: 'push', registry: 'quay.example' })
  })

  it('refuses a wrong content type (415) and malformed bodies (400)', () => {
    expect(() => parse('repo-push.json', { 'content-type': 'application/x-www-form-urlencoded' })).toThrow(UnsupportedMediaTypeError)
    expect(() => quaySource.parse(rawDelivery('{"repository":7}', json), options, context)).toThrow(InvalidPayloadError)
    expect(() => quaySource.parse(rawDelivery('{"repository":"a/b","updated_tags":"v1"}', json), options, context)).toThrow(InvalidPayloadError)
  })
})

describe('quay through the app (fake quay.io)', () => {
  const harness = () => createProviderHarness({ host: HOST, sources: { quay: { secret: 'quay-path-secret' } }, from: 'acme/app-{arch}:{version}', target: 'acme/app' })

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      await h.seed(`acme/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await h.post('/webhooks/quay/quay-path-secret', pushBody(`acme/app-${arch}`, ['v1.0.2']), json)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 2xx for an unknown repository (Quay disables a hook after 3 failures) and touches nothing', async () => {
    const h = harness()
    expect((await h.post('/webhooks/quay/quay-path-secret', pushBody('acme/other', ['v1']), json)).status).toBe(202)
    expect((await h.post('/webhooks/quay/quay-path-secret', JSON.stringify(fixture('build-success.json').body), json)).status).toBe(202)
    await h.expectUntouched()
  })

  it.each([
    ['a wrong path secret', '/webhooks/quay/guess', json, 401, 'UNAUTHORIZED'],
    ['no path secret', '/webhooks/quay', json, 401, 'UNAUTHORIZED'],
    ['a wrong content type', '/webhooks/quay/quay-path-secret', { 'content-type': 'text/xml' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with a JSON error and touches nothing', async (_, path, headers, status, code) => {
    const h = harness()
    const response = await h.post(path, pushBody('acme/app-amd64', ['v1.0.2']), headers)
    await expectError(response, status, code)
    await h.expectUntouched()
    expect(JSON.stringify(h.test.logs)).not.toContain('quay-path-secret')
  })
})
