// A response whose body is cut off after the headers (a reset mid-way) is retried as a whole call;
// when it keeps happening the call ends in a temporary RegistryError, never a bare TypeError.
import { describe, expect, it } from 'vitest'
import { parsePlatform } from '../../src/core/platform.ts'
import { RegistryError } from '../../src/registry/errors.ts'
import { createRegistryClient } from '../../src/registry/http-client.ts'
import { buildFakeImage, seedFakeImage } from '../support/fake-images.ts'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { registryOptions } from './client-fixture.ts'

function cutResponse(): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"schemaVersion":2,'))
      controller.error(new TypeError('terminated'))
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' } })
}

async function setup(cuts: number) {
  const registry = createFakeRegistry()
  const image = await buildFakeImage({ platform: parsePlatform('linux/amd64')!, seed: 'cut', format: 'docker' })
  await seedFakeImage(registry, 'demo/app', 'v1', image)
  let remaining = cuts
  registry.onRequest = (request) => (request.method === 'GET' && remaining-- > 0 ? cutResponse() : undefined)
  const client = createRegistryClient({ fetch: registry.fetch, registries: { [registry.host]: registryOptions() }, sleep: async () => {}, retry: { attempts: 3 } })
  return { client, image, repo: { registry: registry.host, repository: 'demo/app' } }
}

describe('cut-off response bodies', () => {
  it('retries the whole GET and returns the verified manifest', async () => {
    const { client, image, repo } = await setup(2)
    const manifest = await client.getManifest(repo, 'v1')
    expect(manifest.digest).toBe(image.manifest.descriptor.digest)
    const config = await client.getBlob(repo, image.config.descriptor.digest)
    expect(config.byteLength).toBe(image.config.bytes.byteLength)
  })

  it('ends in a temporary RegistryError when every attempt is cut off', async () => {
    const { client, repo } = await setup(100)
    const error = await client.getManifest(repo, 'v1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect(error).toMatchObject({ reason: 'network', temporary: true })
    expect(String((error as Error).message)).toContain('the response body ended early')
  })
})
