// The image's Durable Object inside workerd, with the fake registry as the isolate's fetch:
// concurrent deliveries for one image are recorded by its object, one RPC call at a time and with
// no store round trips, before the 202, and processed by its alarm one item at a time (one
// publish, all arches); a publish that needs more registry requests than one invocation may make
// stops at the limit, says so, and finishes in the next alarm.
// workerd fires due alarms by itself, as in production: the tests wait for their effects.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parsePlatform } from '../../../src/core/platform.ts'
import type { VersionState } from '../../../src/core/version-state.ts'
import { createDurableObjectStore } from '../../../src/runtime/workers/durable-object-store.ts'
import { ImageObject } from '../../../src/runtime/workers/image-object.ts'
import { createWorkQueue } from '../../../src/runtime/workers/work-queue.ts'
import { versionKey } from '../../../src/state/store.ts'
import { buildFakeImage, seedFakeImage } from '../../support/fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from '../../support/fake-registry.ts'
import { readIndex } from '../../support/scenario.ts'
import { distributionBody } from '../../support/test-app.ts'
import { ADMIN_TOKEN, HOST, TOKEN } from './workers-config.ts'
import { fireCron, objectFor, runInObject, SELF, type ImageStub } from './workers-test-env.ts'

let registry: FakeRegistry

// One registry for the file: objects keep their state from test to test, as a deployment would.
beforeAll(() => {
  registry = createFakeRegistry({ host: HOST })
  vi.stubGlobal('fetch', registry.fetch)
})
afterAll(() => vi.unstubAllGlobals())

async function seed(repository: string, tag: string, platform: string, layers = 2) {
  const image = await buildFakeImage({ platform: parsePlatform(platform)!, seed: `${repository}:${tag}`, format: 'docker', layers })
  return { repository, tag, digest: await seedFakeImage(registry, repository, tag, image) }
}

function deliver(events: { repository: string; tag: string; digest: string }[]) {
  return SELF.fetch('http://worker.test/webhooks/distribution', {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${TOKEN}` },
    body: distributionBody(events),
  })
}

async function versionStatus(image: string, version: string) {
  const response = await SELF.fetch(`http://worker.test/status?image=${encodeURIComponent(image)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  return ((await response.json()) as any).images[0].versions.find((v: any) => v.version === version)
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// Published, and nothing left to run now (a follow-up sweep may wait for later).
async function settled(object: ImageStub, image: string, version: string) {
  await until(() => versionStatus(image, version), (status) => status?.state === 'published')
  return until(() => object.queued(), (queued) => queued.size === 0 || (queued.nextDue ?? 0) > Date.now() + 1_000)
}

const indexPuts = (repository: string, tag: string) => registry.requests.filter((r) => r.method === 'PUT' && r.path === `/v2/${repository}/manifests/${tag}`)

describe('ImageObject', () => {
  it('stores concurrent arrivals of one image before answering, then publishes once from its alarm', async () => {
    const arches = [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const
    const pushes = await Promise.all(arches.map(([arch, platform]) => seed(`demo/app-${arch}`, 'v1.0.2', platform)))
    registry.requests.length = 0
    const responses = await Promise.all(pushes.map((push) => deliver([push])))
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202])
    const accepted = await Promise.all(responses.map(async (r) => ((await r.json()) as any).accepted))
    expect(accepted.flat().map((a: any) => [a.platform, a.duplicate]).sort()).toEqual([['linux/amd64', false], ['linux/arm/v7', false], ['linux/arm64', false]])
    const object = objectFor(`${HOST}/demo/app`)
    // Stored by the object before the 202: every arch is in the ledger.
    const ledger = (await object.load(versionKey(`${HOST}/demo/app`, 'v1.0.2')))?.value as VersionState
    expect(Object.keys(ledger.arrivals).sort()).toEqual(['linux/amd64', 'linux/arm/v7', 'linux/arm64'])
    expect(await settled(object, `${HOST}/demo/app`, 'v1.0.2')).toEqual({ size: 0 })
    expect(indexPuts('demo/app', 'v1.0.2')).toHaveLength(1)
    expect(indexPuts('demo/app', 'latest')).toHaveLength(1)
    expect(readIndex(registry, 'demo/app', 'v1.0.2').manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64', 'arm'])
    // The same requests as on Node (test/pipeline/request-budget.test.ts): per arch GET manifest,
    // GET config, HEAD the child in the target, 3 mounts, PUT child; then 2 index PUTs.
    expect(registry.requests).toHaveLength(3 * 7 + 2)
  })

  it('records a burst of deliveries of one version in its object: one ledger, one process item, no store round trips, no conflicts', async () => {
    const image = `${HOST}/demo/burst`
    const arches = [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7'], ['ppc64le', 'linux/ppc64le']] as const
    const pushes = await Promise.all(arches.map(([arch, platform]) => seed(`demo/burst-${arch}`, 'v3.0.0', platform)))
    // Registry requests wait until every delivery is answered: an alarm that starts meanwhile
    // holds at its first request, so the queue still shows what the deliveries queued.
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => (await gate, registry.fetch(input, init)))
    const recordCalls = vi.spyOn(ImageObject.prototype, 'recordArrivals')
    const storeCalls = (['load', 'save', 'delete', 'list'] as const).map((method) => vi.spyOn(ImageObject.prototype, method))
    const object = objectFor(image)
    try {
      // Every arch three times, all twelve deliveries at once.
      const responses = await Promise.all([...pushes, ...pushes, ...pushes].map((push) => deliver([push])))
      expect(responses.map((r) => r.status)).toEqual(Array(12).fill(202))
      const accepted = (await Promise.all(responses.map(async (r) => ((await r.json()) as any).accepted))).flat()
      expect(accepted.filter((a: any) => !a.duplicate).map((a: any) => a.platform).sort()).toEqual(['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'linux/ppc64le'])
      expect(accepted.filter((a: any) => a.duplicate)).toHaveLength(8)
      // One recordArrivals call per delivery, and not one store call over RPC.
      expect(recordCalls).toHaveBeenCalledTimes(12)
      expect(storeCalls.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0, 0])
      expect(await object.conflicts()).toBe(0)
      const { ledger, items } = await runInObject(object, async (_instance, state) => ({
        ledger: (await createDurableObjectStore(state.storage.sql).load(versionKey(image, 'v3.0.0')))?.value as VersionState,
        items: createWorkQueue<{ kind: string }>(state.storage.sql).due(Number.MAX_SAFE_INTEGER).map((work) => work.item),
      }))
      expect(Object.entries(ledger.arrivals).map(([platform, arrival]) => [platform, arrival.seq]).sort()).toEqual([['linux/amd64', 1], ['linux/arm/v7', 1], ['linux/arm64', 1], ['linux/ppc64le', 1]])
      expect(items.filter((item) => item.kind === 'process')).toEqual([{ kind: 'process', image, version: 'v3.0.0' }])
    } finally {
      open()
      vi.stubGlobal('fetch', registry.fetch)
      for (const spy of [recordCalls, ...storeCalls]) spy.mockRestore()
    }
    await settled(object, image, 'v3.0.0')
    expect(indexPuts('demo/burst', 'v3.0.0')).toHaveLength(1)
    expect(readIndex(registry, 'demo/burst', 'v3.0.0').manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64', 'arm', 'ppc64le'])
  })

  it('stops a publish at the subrequest limit with a clear log line and finishes it in the next alarm', async () => {
    const logs = vi.spyOn(console, 'log')
    // 20 layers per arch: 2 x (manifest + config + child HEAD + 21 mounts + child PUT) + 2 index PUTs = 52 requests, over the 40 allowed.
    const pushes = [await seed('demo/big-amd64', 'v1.0.0', 'linux/amd64', 20), await seed('demo/big-arm64', 'v1.0.0', 'linux/arm64', 20)]
    expect((await deliver(pushes)).status).toBe(202)
    const object = objectFor(`${HOST}/demo/big`)
    expect(await settled(object, `${HOST}/demo/big`, 'v1.0.0')).toEqual({ size: 0 })
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)))
    const stopped = lines.filter((line) => line.msg === 'subrequest budget of this invocation used up; the work item continues in the next alarm')
    expect(stopped.map((line) => [line.level, line.subrequests, line.retryInMs, line.item.kind])).toEqual([['warn', 40, 0, 'process']])
    const refused = lines.find((line) => line.msg === 'could not resolve arch tag; the sweep will retry')
    expect(refused.error.message).toMatch(/not sent: registry\.test would be subrequest 41 of this invocation, over the 40 registry requests allowed \(MANIFEST_HOOK_SUBREQUESTS=50, 10 kept for state\)/)
    // No request lost or repeated beyond the mounts of the arch that was cut off.
    expect(indexPuts('demo/big', 'v1.0.0')).toHaveLength(1)
    expect(readIndex(registry, 'demo/big', 'v1.0.0').manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
  })

  it('recovers an arch whose webhook was lost when the Cron Trigger fires', async () => {
    const amd = await seed('demo/suffix', 'v2.0.0-amd64', 'linux/amd64')
    await seed('demo/suffix', 'v2.0.0-arm64', 'linux/arm64')
    expect((await deliver([amd])).status).toBe(202)
    const object = objectFor(`${HOST}/demo/suffix`)
    await until(() => object.queued(), (queued) => queued.size === 0 || (queued.nextDue ?? 0) > Date.now() + 1_000)
    expect((await versionStatus(`${HOST}/demo/suffix`, 'v2.0.0')).state).toBe('waiting')
    await fireCron()
    await settled(object, `${HOST}/demo/suffix`, 'v2.0.0')
    expect(readIndex(registry, 'demo/suffix', 'v2.0.0').manifests.map((m: any) => m.platform.architecture)).toEqual(['amd64', 'arm64'])
    // The sweep record lives in the "#global" object.
    expect((await objectFor('#global').load('sweep/record'))?.value).toMatchObject({ lastFullAt: expect.any(String) })
  })
})
