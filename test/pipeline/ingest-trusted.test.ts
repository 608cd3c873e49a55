import { describe, expect, it } from 'vitest'
import { ingestTrusted } from '../../src/pipeline/ingest-delivery.ts'
import { listKeys } from '../../src/state/store.ts'
import { readFixture } from '../support/fixtures.ts'
import { createProviderHarness } from '../sources/helpers/provider-harness.ts'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'

/** An `ECR Image Action` event as EventBridge hands it to a Lambda (an object, not bytes). */
function ecrEvent(repository: string, tag: string, digest: string): Record<string, any> {
  const event = structuredClone(readFixture('ecr', 'image-push.json')[0]!.body) as Record<string, any>
  Object.assign(event.detail, { 'repository-name': repository, 'image-tag': tag, 'image-digest': digest })
  return event
}

describe('ingestTrusted (events the platform authenticated)', () => {
  // No sources.ecr section: no secret exists, and the webhook route stays closed.
  const harness = () => createProviderHarness({ host: HOST, sources: {}, from: 'app-{arch}:{version}', target: 'app' })

  it('records ECR events without a secret and publishes through the same pipeline', async () => {
    const h = harness()
    for (const arch of ['amd64', 'arm64']) {
      const { digest } = await h.seed(`app-${arch}`, 'v1.0.2', `linux/${arch}`)
      const report = await ingestTrusted(h.test.deps, 'ecr', ecrEvent(`app-${arch}`, 'v1.0.2', digest))
      expect(report).toEqual({ accepted: [{ image: `${HOST}/app`, version: 'v1.0.2', platform: `linux/${arch}`, source: `${HOST}/app-${arch}:v1.0.2`, duplicate: false }], ignored: [] })
    }
    await h.expectPublished('v1.0.2')
    // The same bytes as a string or Uint8Array are the same event (a duplicate now).
    const again = JSON.stringify(ecrEvent('app-amd64', 'v1.0.2', (await h.seed('app-amd64', 'v1.0.2', 'linux/amd64')).digest))
    expect((await ingestTrusted(h.test.deps, 'ecr', again)).accepted[0]?.duplicate).toBe(true)
    expect((await ingestTrusted(h.test.deps, 'ecr', new TextEncoder().encode(again))).accepted[0]?.duplicate).toBe(true)
  })

  it('refuses unknown sources, sources that need their config section, and malformed events', async () => {
    const h = harness()
    await expect(ingestTrusted(h.test.deps, 'nope', {})).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(ingestTrusted(h.test.deps, 'distribution', { events: [] })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(ingestTrusted(h.test.deps, 'ecr', { source: 'aws.ecr' })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' })
    // The HTTP route still needs its section (and so a secret).
    const response = await h.post('/webhooks/ecr', JSON.stringify(ecrEvent('app-amd64', 'v1', `sha256:${'1'.repeat(64)}`)), { 'content-type': 'application/json' })
    expect(response.status).toBe(404)
    await h.test.idle()
    expect(await listKeys(h.test.deps.store, '')).toEqual([])
  })
})
