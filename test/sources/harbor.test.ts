import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { harborSource } from '../../src/sources/harbor.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'

const HOST = 'harbor.test'
const options = { secrets: [new Secret('old-harbor-secret'), new Secret('harbor-secret')] }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('harbor', name)[0]!
const parse = (name: string, headers = {}) => harborSource.parse(deliveryOf(fixture(name), headers), options, context)
const D1 = `sha256:${'1'.repeat(64)}`

/** A Default-format PUSH_ARTIFACT body for `repository:tag` (from the fixture). */
function pushBody(repository: string, tag: string, digest = D1): string {
  const body = structuredClone(fixture('push-artifact-default.json').body) as any
  body.event_data.resources = [{ digest, tag, resource_url: `${HOST}/${repository}:${tag}` }]
  body.event_data.repository.repo_full_name = repository
  return JSON.stringify(body)
}

describe('harbor source: verify', () => {
  it.each([['harbor-secret'], ['Bearer harbor-secret'], ['old-harbor-secret']])('accepts Authorization "%s" (value as typed, Bearer, rotation)', async (authorization) => {
    await expect(harborSource.verify(deliveryOf(fixture('push-artifact-default.json'), { authorization }), options)).resolves.toBeUndefined()
  })

  it.each([['a wrong value', { authorization: 'harbor-secre' }], ['a missing header', {}], ['another scheme', { authorization: 'Basic harbor-secret' }]])('refuses %s', async (_, headers) => {
    await expect(harborSource.verify(deliveryOf(fixture('push-artifact-default.json'), headers), options)).rejects.toBeInstanceOf(UnauthorizedError)
  })
})

describe('harbor source: parse', () => {
  it('turns a Default-format PUSH_ARTIFACT into a push with the digest hint', () => {
    expect(parse('push-artifact-default.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'demo/app-amd64', tag: 'v1.0.2', digest: D1, occurredAt: '2026-11-27T11:59:00.000000000Z' }])
  })

  it('reads the CloudEvents format (harbor.artifact.pushed, application/cloudevents+json)', () => {
    expect(parse('push-artifact-cloudevents.json')).toEqual([{ kind: 'push', registry: HOST, repository: 'demo/app-amd64', tag: 'v1.0.2', digest: D1, occurredAt: '2026-11-27T11:59:00.000000000Z' }])
  })

  it('ignores untagged children (Harbor puts the digest into `tag`) and other event types', () => {
    expect(parse('push-artifact-untagged.json')).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'push by digest (no tag)' })])
    expect(parse('pull-artifact-default.json')).toEqual([{ kind: 'ignored', reason: 'event type "PULL_ARTIFACT"' }])
  })

  it('returns one event per resource of a multi-resource envelope', () => {
    const body = JSON.parse(pushBody('demo/app-amd64', 'v1.0.2')) as any
    body.event_data.resources.push({ digest: D1, tag: D1, resource_url: `${HOST}/demo/app-amd64@${D1}` }, { digest: D1, tag: 'v1.0', resource_url: `${HOST}/demo/app-amd64:v1.0` })
    const events = harborSource.parse(rawDelivery(JSON.stringify(body), { 'content-type': 'application/json' }), options, context)
    expect(events.map((e) => (e.kind === 'push' ? e.tag : e.reason))).toEqual(['v1.0.2', 'push by digest (no tag)', 'v1.0'])
  })

  it('takes the host from resource_url only when it is configured, or from the pinned option', () => {
    const other = { registries: ['registry.example'] }
    expect(harborSource.parse(deliveryOf(fixture('push-artifact-default.json')), options, other)[0]).toMatchObject({ kind: 'ignored', reason: 'registry host is not configured' })
    const pinned = harborSource.parse(deliveryOf(fixture('push-artifact-default.json')), { ...options, registry: 'registry.example' }, other)
    expect(pinned[0]).toMatchObject({ kind: 'push', registry: 'registry.example' })
  })

  it('refuses a wrong content type (415) and malformed bodies (400)', () => {
    expect(() => parse('push-artifact-default.json', { 'content-type': 'text/plain' })).toThrow(UnsupportedMediaTypeError)
    const bad = (body: string, type = 'application/json') => () => harborSource.parse(rawDelivery(body, { 'content-type': type }), options, context)
    expect(bad('{"type":"PUSH_ARTIFACT","event_data":{"resources":"x"}}')).toThrow(InvalidPayloadError)
    expect(bad('{"specversion":"0.3","type":"harbor.artifact.pushed"}', 'application/cloudevents+json')).toThrow(InvalidPayloadError)
    expect(bad('[1,2')).toThrow(InvalidPayloadError)
  })
})

describe('harbor through the app', () => {
  const sources = { harbor: { secret: ['old-harbor-secret', 'harbor-secret'] } }
  const harness = () => createProviderHarness({ host: HOST, sources, from: 'demo/app-{arch}:{version}', target: 'demo/app' })
  const json = { 'content-type': 'application/json', authorization: 'harbor-secret' }

  it('publishes the index once every arch was pushed, and ignores duplicates', async () => {
    const h = harness()
    const bodies = []
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`demo/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      bodies.push(pushBody(`demo/app-${arch}`, 'v1.0.2', digest))
      expect((await h.post('/webhooks/harbor', bodies.at(-1)!, json)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
    const again = await h.post('/webhooks/harbor', bodies[1]!, json)
    expect((await again.json()).accepted).toEqual([expect.objectContaining({ duplicate: true })])
  })

  it('answers 2xx for an unknown repository and touches nothing (Harbor retries non-2xx)', async () => {
    const h = harness()
    const response = await h.post('/webhooks/harbor', pushBody('other/thing', 'v1'), json)
    expect(response.status).toBe(202)
    expect((await response.json()).ignored).toEqual([expect.objectContaining({ reason: expect.stringContaining('unknown image') })])
    await h.expectUntouched()
  })

  it.each([
    ['a wrong secret', { ...json, authorization: 'nope' }, 401, 'UNAUTHORIZED'],
    ['no Authorization header', { 'content-type': 'application/json' }, 401, 'UNAUTHORIZED'],
    ['a wrong content type', { ...json, 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with a JSON error and touches nothing', async (_, headers, status, code) => {
    const h = harness()
    await expectError(await h.post('/webhooks/harbor', pushBody('demo/app-amd64', 'v1.0.2'), headers), status, code)
    await h.expectUntouched()
  })

  it('answers a non-push event with 2xx and touches nothing', async () => {
    const h = harness()
    const response = await h.post('/webhooks/harbor', JSON.stringify(fixture('pull-artifact-default.json').body), json)
    expect(response.status).toBe(202)
    await h.expectUntouched()
  })
})
