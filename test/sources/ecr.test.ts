import { describe, expect, it } from 'vitest'
import { InvalidPayloadError, UnauthorizedError, UnsupportedMediaTypeError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import { ecrSource } from '../../src/sources/ecr.ts'
import { deliveryOf, rawDelivery, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const options = { header: 'x-api-key', secrets: [new Secret('old-ecr-key'), new Secret('ecr-key')] }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('ecr', name)[0]!
const parse = (name: string, ctx = context) => ecrSource.parse(deliveryOf(fixture(name)), options, ctx)
const D1 = `sha256:${'1'.repeat(64)}`

/** An `ECR Image Action` event for `repository:tag` (from the fixture), with overrides. */
function eventBody(repository: string, tag: string, digest = D1, extra: Record<string, unknown> = {}): string {
  const body = structuredClone(fixture('image-push.json').body) as any
  Object.assign(body.detail, { 'repository-name': repository, 'image-tag': tag, 'image-digest': digest })
  return JSON.stringify({ ...body, ...extra })
}

describe('ecr source: verify', () => {
  it('accepts the API destination connection header with any configured key', async () => {
    for (const value of ['ecr-key', 'old-ecr-key']) {
      await expect(ecrSource.verify(deliveryOf(fixture('image-push.json'), { 'x-api-key': value }), options)).resolves.toBeUndefined()
    }
    await expect(ecrSource.verify(deliveryOf(fixture('image-push.json'), { 'x-api-key': 'ecr-ke' }), options)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(ecrSource.verify(deliveryOf(fixture('image-push.json')), options)).rejects.toThrow(/missing/)
  })
})

describe('ecr source: parse', () => {
  it('builds the registry host from account and region', () => {
    expect(parse('image-push.json')).toEqual([
      { kind: 'push', registry: HOST, repository: 'app-amd64', tag: 'v1.0.2', digest: D1, mediaType: 'application/vnd.oci.image.manifest.v1+json', occurredAt: '2026-11-27T11:59:00.000000000Z', id: '00000000-0000-4000-8000-0000000000d1' },
    ])
  })

  it('ignores deletes, failures, untagged pushes and other event types', () => {
    expect(parse('image-delete.json')).toEqual([expect.objectContaining({ reason: 'action "DELETE"' })])
    expect(parse('image-push-untagged.json')).toEqual([expect.objectContaining({ reason: 'push by digest (no tag)' })])
    const json = { 'content-type': 'application/json' }
    const failed = JSON.parse(eventBody('app-amd64', 'v1')) as any
    failed.detail.result = 'FAILURE'
    expect(ecrSource.parse(rawDelivery(JSON.stringify(failed), json), options, context)).toEqual([expect.objectContaining({ reason: 'result "FAILURE"' })])
    const scan = eventBody('app-amd64', 'v1', D1, { 'detail-type': 'ECR Image Scan' })
    expect(ecrSource.parse(rawDelivery(scan, json), options, context)).toEqual([expect.objectContaining({ reason: 'event "aws.ecr" / "ECR Image Scan"' })])
  })

  it('needs the built host to be a configured registry; a crafted account or region selects nothing', () => {
    expect(parse('image-push.json', { registries: ['210987654321.dkr.ecr.eu-west-1.amazonaws.com'] })[0]).toMatchObject({ reason: 'registry host is not configured' })
    const evil = eventBody('app', 'v1', D1, { account: '123456789012.evil.example/x', region: 'eu-west-1' })
    expect(ecrSource.parse(rawDelivery(evil, { 'content-type': 'application/json' }), options, context)[0]).toMatchObject({ reason: 'invalid account or region' })
  })

  it('uses the China partition suffix for cn- regions', () => {
    const cn = eventBody('app', 'v1', D1, { region: 'cn-north-1' })
    const host = '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn'
    expect(ecrSource.parse(rawDelivery(cn, { 'content-type': 'application/json' }), options, { registries: [host] })[0]).toMatchObject({ kind: 'push', registry: host })
  })

  it('refuses a wrong content type (415) and malformed bodies (400)', () => {
    expect(() => ecrSource.parse(deliveryOf(fixture('image-push.json'), { 'content-type': 'text/plain' }), options, context)).toThrow(UnsupportedMediaTypeError)
    const bad = (body: string) => () => ecrSource.parse(rawDelivery(body, { 'content-type': 'application/json' }), options, context)
    expect(bad('{"source":"aws.ecr"}')).toThrow(InvalidPayloadError)
    expect(bad(eventBody('app', 'v1', D1, { detail: { result: 'SUCCESS' } }))).toThrow(InvalidPayloadError)
  })
})

describe('ecr through the app (fake <account>.dkr.ecr.<region>.amazonaws.com)', () => {
  const harness = () => createProviderHarness({ host: HOST, sources: { ecr: { header: 'x-api-key', secret: ['old-ecr-key', 'ecr-key'] } }, from: 'app-{arch}:{version}', target: 'app' })
  const headers = { 'content-type': 'application/json; charset=utf-8', 'x-api-key': 'ecr-key' }

  it('publishes the index once every arch was pushed', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await h.post('/webhooks/ecr', eventBody(`app-${arch}`, 'v1.0.2', digest), headers)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })

  it('answers 2xx for unknown repositories and deletes (EventBridge retries) and touches nothing', async () => {
    const h = harness()
    expect((await h.post('/webhooks/ecr', eventBody('unrelated', 'v1'), headers)).status).toBe(202)
    expect((await h.post('/webhooks/ecr', JSON.stringify(fixture('image-delete.json').body), headers)).status).toBe(202)
    await h.expectUntouched()
  })

  it.each([
    ['a wrong key', { ...headers, 'x-api-key': 'nope' }, 401, 'UNAUTHORIZED'],
    ['a missing header', { 'content-type': 'application/json' }, 401, 'UNAUTHORIZED'],
    ['a wrong content type', { ...headers, 'content-type': 'application/xml' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with a JSON error and touches nothing', async (_, sent, status, code) => {
    const h = harness()
    await expectError(await h.post('/webhooks/ecr', eventBody('app-amd64', 'v1.0.2'), sent), status, code)
    await h.expectUntouched()
  })
})
