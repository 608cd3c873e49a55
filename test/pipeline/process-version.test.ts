import { describe, expect, it, vi } from 'vitest'
import { processVersion } from '../../src/pipeline/process-version.ts'
import { versionKey } from '../../src/state/store.ts'
import { createScenario, HOST } from '../support/scenario.ts'

describe('processVersion', () => {
  it('lets a second run of a version (a sweep beside its process item) start only once the first has settled: the child is copied once', async () => {
    const s = createScenario()
    const image = s.test.deps.catalog.image(`${HOST}/demo/app`)!
    let putReached!: () => void
    let releasePut!: () => void
    let secondHeadReached!: () => void
    const atPut = new Promise<void>((resolve) => (putReached = resolve))
    const putGate = new Promise<void>((resolve) => (releasePut = resolve))
    const secondHead = new Promise<void>((resolve) => (secondHeadReached = resolve))
    let heads = 0
    let puts = 0
    // The first PUT of a child into the target waits at the registry until released.
    s.registry.onRequest = async (request) => {
      const path = new URL(request.url).pathname
      if (!path.startsWith('/v2/demo/app/manifests/sha256:')) return undefined
      if (request.method === 'HEAD' && ++heads === 2) secondHeadReached()
      if (request.method === 'PUT' && ++puts === 1) {
        putReached()
        await putGate
      }
      return undefined
    }
    const pushed = await s.push('demo/app-amd64', 'v1.0.0', 'linux/amd64')
    await atPut
    const load = vi.spyOn(s.test.deps.store, 'load')
    const second = processVersion(s.test.deps, image, 'v1.0.0')
    // Run at once, the second run reads the arrival as still pending and copies the child again:
    // let it reach its HEAD (404 while the first PUT waits) before the first PUT is answered.
    if (load.mock.calls.some(([key]) => key === versionKey(image.name, 'v1.0.0'))) await secondHead
    releasePut()
    await Promise.all([second, s.test.idle()])

    const child = `/v2/demo/app/manifests/${pushed.manifest.descriptor.digest}`
    const requests = s.registry.requests.filter((r) => r.path === child).map((r) => `${r.method} ${r.status}`)
    expect(requests).toEqual(['HEAD 404', 'PUT 201'])
    expect((await s.status()).images[0].versions[0]).toMatchObject({ version: 'v1.0.0', state: 'waiting', missing: ['linux/arm64', 'linux/arm/v7'] })
  })
})
