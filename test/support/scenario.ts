// A ready-made scenario over the fake registry: the two images of the example config
// (separate repositories and suffix tags) on host registry.test.
import { parsePlatform } from '../../src/core/platform.ts'
import type { StateStore } from '../../src/state/store.ts'
import { buildFakeImage, seedFakeImage, type FakeImage } from './fake-images.ts'
import { createFakeRegistry, createFetchRouter, type FakeRegistry } from './fake-registry.ts'
import { createTestApp, postDistribution, TOKEN, type TestApp } from './test-app.ts'

export const HOST = 'registry.test'
export const ADMIN_TOKEN = 'admin-token'

export function scenarioConfig(overrides: Record<string, unknown> = {}) {
  return {
    registries: { [HOST]: {} },
    sources: { distribution: { token: TOKEN }, dockerhub: { secret: 'hub-secret' } },
    server: { adminToken: ADMIN_TOKEN },
    images: [
      { target: `${HOST}/demo/app`, from: `${HOST}/demo/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
      { target: `${HOST}/demo/suffix`, from: `${HOST}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'] },
    ],
    ...overrides,
  }
}

export interface Scenario {
  registry: FakeRegistry
  test: TestApp
  /** Seeds `repository:tag` with an image built for `platform` (optionally lying about it) and notifies. */
  push(repository: string, tag: string, platform: string, options?: { seed?: string; attestation?: boolean; format?: 'docker' | 'oci'; notify?: boolean; references?: boolean; at?: string; labels?: Record<string, string> }): Promise<FakeImage>
  status(): Promise<any>
}

/** Options for a scenario: a settable clock and more fake registries (mirrors) behind the same fetch. */
export interface ScenarioOptions {
  clock?: { now: Date }
  store?: StateStore
  mirrors?: FakeRegistry[]
}

/** Creates a fake registry and an app wired to it. */
export function createScenario(configOverrides: Record<string, unknown> = {}, options: ScenarioOptions = {}): Scenario {
  const registry = createFakeRegistry({ host: HOST })
  const fetch = options.mirrors
    ? createFetchRouter(Object.fromEntries([registry, ...options.mirrors].map((r) => [r.host, (request: Request) => r.handle(request)])))
    : registry.fetch
  const clock = options.clock
  const test = createTestApp(scenarioConfig(configOverrides), { fetch, ...(clock ? { now: () => clock.now } : {}), ...(options.store ? { store: options.store } : {}) })
  return {
    registry,
    test,
    async push(repository, tag, platform, options = {}) {
      const image = await buildFakeImage({
        platform: parsePlatform(platform)!,
        seed: options.seed ?? `${repository}:${tag}`,
        format: options.format ?? 'docker',
        ...(options.attestation ? { attestation: true } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
      })
      const digest = await seedFakeImage(registry, repository, tag, image)
      if (options.notify !== false) {
        const mediaType = (image.index ?? image.manifest).descriptor.mediaType
        const references = options.references ? [image.config, ...image.layers].map((blob) => blob.descriptor) : undefined
        const response = await postDistribution(test, [{ repository, tag, digest, mediaType, ...(references ? { references } : {}), ...(options.at ? { timestamp: options.at } : {}) }])
        if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`)
      }
      return image
    },
    async status() {
      return (await test.request('/status', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()
    },
  }
}

/** Parses the index stored under `repository:reference` in the fake registry. */
export function readIndex(registry: FakeRegistry, repository: string, reference: string): any {
  const stored = registry.getManifest(repository, reference)
  return stored ? { ...JSON.parse(new TextDecoder().decode(stored.bytes)), storedMediaType: stored.mediaType } : undefined
}

/** The registry requests (`METHOD /path`) made while `work` and the deferred work it started ran. */
export async function requestsDuring(s: Scenario, work: () => Promise<unknown>): Promise<string[]> {
  const before = s.registry.requests.length
  await work()
  await s.test.idle()
  return s.registry.requests.slice(before).map((r) => `${r.method} ${r.path}`)
}
