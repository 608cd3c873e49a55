// Every source through the app: each kind of bad delivery gets its 4xx with the app's JSON error
// body, and nothing is stored and no registry request is made.
import { describe, expect, it } from 'vitest'
import { createFakeRegistry } from '../support/fake-registry.ts'
import { createTestApp } from '../support/test-app.ts'
import { FUZZ_BODY_LIMIT, type FuzzTarget } from './fuzz/fuzz-harness.ts'
import * as targets from './fuzz/fuzz-targets.ts'
import { NOW } from './helpers/provider-harness.ts'
import { listKeys } from '../../src/state/store.ts'

const encoder = new TextEncoder()
const all: FuzzTarget[] = [
  targets.harborTarget, targets.gitHubTarget, targets.quayTarget, targets.acrTarget, targets.ecrTarget, await targets.createGarTarget(),
  targets.artifactoryTarget, targets.giteaTarget, targets.zotTarget, targets.nexusTarget, targets.distributionTarget, targets.dockerHubTarget,
]

function createApp(target: FuzzTarget) {
  const registry = createFakeRegistry({ host: target.registryHost ?? target.host })
  const images = [{ target: `${target.host}/demo/app`, from: `${target.host}/demo/app-{arch}:{version}`, platforms: ['linux/amd64'] }]
  const config = { server: { maxBodyBytes: FUZZ_BODY_LIMIT }, registries: { [target.host]: {} }, sources: target.sources, images }
  return { registry, test: createTestApp(config, { fetch: registry.fetch, now: () => NOW }) }
}

describe.each(all.map((target) => [target.source, target] as const))('%s: bad deliveries through the app', (_, target) => {
  const seed = target.seeds[0]!
  const cases: [string, () => Promise<{ path: string; headers: Record<string, string>; body: Uint8Array }>, number, string][] = [
    ['malformed JSON, validly authenticated', async () => withAuth(encoder.encode('{"broken":')), 400, 'INVALID_PAYLOAD'],
    ['a JSON array, validly authenticated', async () => withAuth(encoder.encode('[]')), 400, 'INVALID_PAYLOAD'],
    ['a body over the size limit', async () => withAuth(encoder.encode(JSON.stringify({ pad: 'x'.repeat(FUZZ_BODY_LIMIT) }))), 413, 'PAYLOAD_TOO_LARGE'],
    ['a wrong content type', async () => withAuth(encoder.encode(seed.body), { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ]
  async function withAuth(body: Uint8Array, extra: Record<string, string> = {}) {
    return { path: target.path, headers: { ...seed.headers, ...(await target.authorize(body)), ...extra }, body }
  }

  it.each(cases)('%s', async (_, build, status, code) => {
    const { registry, test } = createApp(target)
    const { path, headers, body } = await build()
    const response = await test.request(path, { method: 'POST', headers, body: body as BodyInit })
    expect(response.status).toBe(status)
    const json = await response.json()
    expect(json).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) })
    expect(JSON.stringify(json)).not.toMatch(/fuzz-(path-)?secret|fuzz-token/)
    await test.idle()
    expect(registry.requests).toEqual([])
    expect(await listKeys(test.deps.store, '')).toEqual([])
    expect(JSON.stringify(test.logs)).not.toMatch(/fuzz-(path-)?secret|fuzz-token/)
  })

  it('no credentials: 401 with a JSON error', async () => {
    const { registry, test } = createApp(target)
    const path = target.path.replace(/\/fuzz-path-secret$/, '')
    const { authorization: _a, ...headers } = seed.headers
    const response = await test.request(path, { method: 'POST', headers, body: seed.body })
    expect(response.status).toBe(401)
    expect((await response.json()).error.code).toBe('UNAUTHORIZED')
    expect(registry.requests).toEqual([])
    expect(await listKeys(test.deps.store, '')).toEqual([])
  })
})
