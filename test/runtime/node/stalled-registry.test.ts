// A registry that accepts connections and never answers, next to one that works, through the real
// Node stack (undici fetch, task queue, SQLite): the stalled one fails clearly within the configured
// timeout and frees its work slots, the other publishes undelayed, and once the stalled one answers
// again the next sweep publishes its versions.
import { serve, type ServerType } from '@hono/node-server'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.ts'
import { parsePlatform } from '../../../src/core/platform.ts'
import { silentLogger } from '../../../src/log.ts'
import { startNodeServer } from '../../../src/runtime/node/node-server.ts'
import { buildFakeImage, seedFakeImage } from '../../support/fake-images.ts'
import { createFakeRegistry, type FakeRegistry } from '../../support/fake-registry.ts'
import { distributionBody, TOKEN } from '../../support/test-app.ts'

const dir = mkdtempSync(join(tmpdir(), 'mh-stalled-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Served {
  host: string
  registry: FakeRegistry
  stalled: boolean
  server: ServerType
}

// A fake registry on a loopback port; while `stalled`, every request is accepted and never answered.
async function serveRegistry(): Promise<Served> {
  const registry = createFakeRegistry({ host: 'pending' })
  const served = { registry, stalled: false } as Served
  const server = serve({ fetch: (request) => (served.stalled ? new Promise<Response>(() => {}) : registry.handle(request)), hostname: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  served.server = server
  served.host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return served
}

async function seed(served: Served, repository: string, tag: string): Promise<string> {
  const image = await buildFakeImage({ platform: parsePlatform('linux/amd64')!, seed: `${served.host}/${repository}:${tag}`, format: 'docker' })
  return seedFakeImage(served.registry, repository, tag, image)
}

const TIMEOUT_S = 1

describe('a registry that accepts connections and never answers', () => {
  it('fails clearly within the timeout, frees the slots, does not delay the other registry, and publishes at the next sweep once it answers', async () => {
    const [slow, fine] = [await serveRegistry(), await serveRegistry()]
    const image = (host: string) => ({ target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: ['linux/amd64'] })
    const config = parseConfig({
      server: { sweepIntervalSeconds: 0, adminToken: 'admin', registryTimeoutSeconds: TIMEOUT_S, registryDeadlineSeconds: 3 },
      registries: { [slow.host]: { insecure: true }, [fine.host]: { insecure: true } },
      sources: { distribution: { token: TOKEN } },
      images: [image(slow.host), image(fine.host)],
    })
    const versions = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']
    const digests = new Map<string, string>()
    for (const version of versions) digests.set(version, await seed(slow, 'demo/app-amd64', version))
    const fineDigest = await seed(fine, 'demo/app-amd64', 'v2.0.0')
    // Two work slots: both go to the stalled registry first.
    const server = await startNodeServer({ config, dataPath: join(dir, 'state.db'), port: 0, log: silentLogger, maxRunningTasks: 2 })
    const post = (host: string, version: string, digest: string) =>
      fetch(`${server.url}/webhooks/distribution`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${TOKEN}` },
        body: distributionBody([{ repository: 'demo/app-amd64', tag: version, digest, host }]),
      })
    const status = async () => (await fetch(`${server.url}/status`, { headers: { authorization: 'Bearer admin' } })).json() as Promise<any>
    try {
      await server.idle()
      slow.stalled = true
      const started = performance.now()
      for (const version of versions) expect((await post(slow.host, version, digests.get(version)!)).status).toBe(202)
      expect((await post(fine.host, 'v2.0.0', fineDigest)).status).toBe(202)
      // The working registry's publish waits at most about one timeout for a slot.
      while (!fine.registry.getManifest('demo/app', 'v2.0.0')) await new Promise((resolve) => setTimeout(resolve, 20))
      const fineMs = performance.now() - started
      expect(fineMs).toBeLessThan(TIMEOUT_S * 1000 + 1000)
      // Every slot is free again once the stalled registry's work failed; nothing waits on it.
      await server.idle()
      expect(performance.now() - started).toBeLessThan(TIMEOUT_S * 1000 + 2000)
      const versionsOf = async (host: string) => (await status()).images.find((i: any) => i.image === `${host}/demo/app`).versions
      const stalled = await versionsOf(slow.host)
      expect(stalled).toHaveLength(4)
      for (const version of stalled) {
        expect(version.state).toBe('waiting')
        expect(JSON.stringify(version)).toMatch(new RegExp(`registry ${slow.host.replace(/\./g, '\\.')} did not answer GET /v2/demo/app-amd64/manifests/sha256:[0-9a-f]{64} within 1 s|registry ${slow.host.replace(/\./g, '\\.')} did not answer within 1 s; not asked again for now`))
      }
      // The registry answers again; after its cool-down the next sweep publishes every version.
      slow.stalled = false
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000 + 50))
      const sweep = await fetch(`${server.url}/reconcile`, { method: 'POST', headers: { authorization: 'Bearer admin' } })
      expect(sweep.status).toBe(200)
      await server.idle()
      for (const version of versions) expect(slow.registry.getManifest('demo/app', version)).toBeDefined()
      expect((await versionsOf(slow.host)).map((v: any) => v.state)).toEqual(['published', 'published', 'published', 'published'])
    } finally {
      slow.stalled = false
      await server.close()
      for (const served of [slow, fine]) served.server.close()
    }
  }, 30_000)
})
