// GitLab self-managed registries send distribution-style notifications (the GitLab container
// registry is a distribution fork), so they use the distribution source: these tests prove it.
import { describe, expect, it } from 'vitest'
import { Secret } from '../../src/secret.ts'
import { distributionSource } from '../../src/sources/distribution.ts'
import { deliveryOf, readFixture } from '../support/fixtures.ts'
import { createProviderHarness, expectError } from './helpers/provider-harness.ts'

const HOST = 'registry.gitlab.test'
const options = { tokens: [new Secret('old-gitlab-token'), new Secret('gitlab-token')] }
const context = { registries: [HOST] }
const fixture = (name: string) => readFixture('gitlab', name)[0]!
const D1 = `sha256:${'1'.repeat(64)}`
const auth = { authorization: 'Bearer gitlab-token' }

/** One GitLab envelope with a tagged manifest push of `repository:tag`. */
function envelope(repository: string, tag: string, digest = D1): string {
  const body = structuredClone(fixture('manifest-push-by-tag.json').body) as any
  Object.assign(body.events[0].target, { repository, tag, digest })
  return JSON.stringify(body)
}

describe('gitlab (distribution source)', () => {
  it('reads a GitLab v2 envelope: nested group path, the tag, host from request.host', async () => {
    await expect(distributionSource.verify(deliveryOf(fixture('manifest-push-by-tag.json'), auth), options)).resolves.toBeUndefined()
    expect(distributionSource.parse(deliveryOf(fixture('manifest-push-by-tag.json')), options, context)).toEqual([
      expect.objectContaining({ kind: 'push', registry: HOST, repository: 'acme/platform/app-amd64', tag: 'v1.0.2', digest: D1 }),
    ])
  })

  it('keeps only the tagged manifest push of a multi-event envelope', () => {
    const events = distributionSource.parse(deliveryOf(fixture('envelope-blob-and-child-and-tag.json')), options, context)
    expect(events.map((e) => (e.kind === 'push' ? `push ${e.tag}` : e.reason))).toEqual(['not a manifest (blob or artifact)', 'push by digest (no tag)', 'action "pull"', 'push v1.0.2'])
  })

  it('publishes through the app and refuses a wrong token', async () => {
    const h = createProviderHarness({ host: HOST, sources: { distribution: { token: ['old-gitlab-token', 'gitlab-token'] } }, from: 'acme/platform/app-{arch}:{version}', target: 'acme/platform/app' })
    const headers = { ...fixture('manifest-push-by-tag.json').headers, ...auth }
    await expectError(await h.post('/webhooks/distribution', envelope('acme/platform/app-amd64', 'v1.0.2'), { ...headers, authorization: 'Bearer x' }), 401, 'UNAUTHORIZED')
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`acme/platform/app-${arch}`, 'v1.0.2', `linux/${arch}`)
      expect((await h.post('/webhooks/distribution', envelope(`acme/platform/app-${arch}`, 'v1.0.2', digest), headers)).status).toBe(202)
    }
    await h.expectPublished('v1.0.2')
  })
})
