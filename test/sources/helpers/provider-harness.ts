// An app over a fake registry named like a provider's registry, for source tests through the app:
// seed per-arch images, post deliveries, and check what was (or was not) published.
import { expect } from 'vitest'
import { parsePlatform } from '../../../src/core/platform.ts'
import { buildFakeImage, seedFakeImage, type FakeImage } from '../../support/fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from '../../support/fake-registry.ts'
import { createTestApp, type TestApp } from '../../support/test-app.ts'
import { listKeys } from '../../../src/state/store.ts'

/** The moment the test app believes it is (test-app.ts's default clock). */
export const NOW = new Date('2026-11-27T12:00:00.000Z')

export interface HarnessOptions {
  /** The fake registry's host, as the provider names its registry. */
  host: string
  sources: Record<string, unknown>
  /** `from` and `target` below the host, e.g. `demo/app-{arch}:{version}` and `demo/app`. */
  from: string
  target: string
  platforms?: string[]
  maxBodyBytes?: number
}

export interface ProviderHarness {
  registry: FakeRegistry
  test: TestApp
  post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response>
  /** Pushes an image for `platform` to `repository:tag` of the fake registry (no webhook). */
  seed(repository: string, tag: string, platform: string): Promise<{ image: FakeImage; digest: string }>
  /** Nothing was stored and the registry saw no request. */
  expectUntouched(): Promise<void>
  /** The target repository has `version` and `latest`, an index with one entry per platform. */
  expectPublished(version: string): Promise<void>
}

/** Creates the fake registry and the app configured with one image on it. */
export function createProviderHarness(options: HarnessOptions): ProviderHarness {
  const { host, target } = options
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64']
  const registry = createFakeRegistry({ host })
  const server = options.maxBodyBytes ? { server: { maxBodyBytes: options.maxBodyBytes } } : {}
  const images = [{ target: `${host}/${target}`, from: `${host}/${options.from}`, platforms }]
  const test = createTestApp({ ...server, registries: { [host]: {} }, sources: options.sources, images }, { fetch: registry.fetch, now: () => NOW })
  return {
    registry,
    test,
    post: (path, body, headers) => test.request(path, { method: 'POST', headers, body: body as BodyInit }),
    async seed(repository, tag, platform) {
      const image = await buildFakeImage({ platform: parsePlatform(platform)!, seed: `${repository}:${tag}`, format: 'docker' })
      return { image, digest: await seedFakeImage(registry, repository, tag, image) }
    },
    async expectUntouched() {
      await test.idle()
      expect(registry.requests).toEqual([])
      expect(await listKeys(test.deps.store, '')).toEqual([])
    },
    async expectPublished(version) {
      await test.idle()
      for (const tag of [version, 'latest']) {
        const stored = registry.getManifest(target, tag)
        expect(stored, `${target}:${tag}`).toBeDefined()
        const index = JSON.parse(new TextDecoder().decode(stored!.bytes))
        const published = index.manifests.map((m: { platform: { os: string; architecture: string } }) => `${m.platform.os}/${m.platform.architecture}`)
        expect(published).toEqual(platforms)
      }
    },
  }
}

/** Asserts a 4xx answer with the app's JSON error body. */
export async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  const body = await response.json()
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) })
}

/** Seconds relative to NOW as an ISO string (for timestamps in payloads). */
export function isoAt(offsetSeconds: number): string {
  return new Date(NOW.getTime() + offsetSeconds * 1000).toISOString()
}
