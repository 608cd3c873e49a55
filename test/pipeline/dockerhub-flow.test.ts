import { describe, expect, it } from 'vitest'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import { parsePlatform } from '../../src/core/platform.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createTestApp } from '../support/test-app.ts'
import { listKeys } from '../../src/state/store.ts'

// Docker Hub's API host is registry-1.docker.io; images are configured with Docker Hub names.
function createHub() {
  const registry = createFakeRegistry({ host: 'registry-1.docker.io' })
  const test = createTestApp(
    {
      registries: { 'docker.io': { username: 'ci-bot', password: 'hub-token' } },
      sources: { dockerhub: { secret: 'hub-secret' } },
      images: [{ target: 'org/app', from: 'org/app:{version}-{arch}', platforms: ['linux/amd64', 'linux/arm64'] }],
    },
    { fetch: registry.fetch },
  )
  const deliver = (tag: string) =>
    test.request('/webhooks/dockerhub/hub-secret', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ push_data: { tag, pushed_at: 1764270000 }, repository: { repo_name: 'org/app' } }),
    })
  return { registry, test, deliver }
}

describe('Docker Hub flow (fake registry-1.docker.io)', () => {
  it('publishes from tag-only deliveries by resolving every tag in the registry', async () => {
    const hub = createHub()
    for (const arch of ['amd64', 'arm64']) {
      const image = await buildFakeImage({ platform: parsePlatform(`linux/${arch}`)!, seed: arch, format: 'docker' })
      await seedFakeImage(hub.registry, 'org/app', `v1.0.0-${arch}`, image)
      expect((await hub.deliver(`v1.0.0-${arch}`)).status).toBe(202)
    }
    await hub.test.idle()
    expect(hub.registry.getManifest('org/app', 'v1.0.0')?.mediaType).toBe(MEDIA_TYPES.dockerList)
    expect(hub.registry.getManifest('org/app', 'latest')).toBeDefined()
  })

  it('costs one manifest GET per redelivery (Docker Hub sends several per push, without digest)', async () => {
    const hub = createHub()
    for (const arch of ['amd64', 'arm64']) {
      await seedFakeImage(hub.registry, 'org/app', `v1.0.0-${arch}`, await buildFakeImage({ platform: parsePlatform(`linux/${arch}`)!, seed: arch, format: 'docker' }))
      await hub.deliver(`v1.0.0-${arch}`)
    }
    await hub.test.idle()
    const before = hub.registry.requests.length
    expect((await hub.deliver('v1.0.0-arm64')).status).toBe(202)
    await hub.test.idle()
    expect(hub.registry.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/org/app/manifests/v1.0.0-arm64'])
  })

  it('answers 404 for an image nobody configured, and stores nothing', async () => {
    const hub = createHub()
    const response = await hub.test.request('/webhooks/dockerhub/hub-secret', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ push_data: { tag: 'v1' }, repository: { repo_name: 'someone/else' } }),
    })
    expect(response.status).toBe(404)
    expect(await listKeys(hub.test.deps.store, '')).toEqual([])
  })
})
