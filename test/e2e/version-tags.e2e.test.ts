// The field cases against the real registry: per-arch latest, main and referrers/signature
// tags pushed beside versioned ones, then full sweeps; and deliveries that name a tag never pushed.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sweep } from '../../src/pipeline/sweep.ts'
import { startE2EStack, WEBHOOK_TOKEN, type E2EStack } from '../support/e2e-stack.ts'
import { pushImage, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'

const ARCHES = [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const

describeWithTools(['docker-registry', 'skopeo'], 'e2e: which tags are versions, and tags checked against deliveries', () => {
  let stack: E2EStack
  const app = () => `${stack.host}/demo/app`
  const versionsOf = async () => (await stack.status()).images[0].versions.map((v: any) => v.version).sort()
  const pushAll = async (tag: string) => {
    const pushed = []
    for (const [arch, platform] of ARCHES) pushed.push(await pushImage(`${app()}-${arch}:${tag}`, { platform, seed: `${tag}-${arch}` }))
    return pushed
  }

  beforeAll(async () => {
    stack = await startE2EStack()
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('per-arch latest, main, sha256-<hex> and .sig tags are no versions; latest stays at the highest stable version over full sweeps', async () => {
    await sweep(stack.server.deps) // the first listing: an empty registry
    await pushAll('v1.0.0')
    const v1 = await stack.waitForVersion(app(), 'v1.0.0', (v) => v.state === 'published')
    await stack.server.idle()
    await pushAll('latest')
    await pushAll('main')
    const hex = v1.arrived[`${app()}-amd64:v1.0.0`].slice('sha256:'.length)
    await pushImage(`${app()}-amd64:sha256-${hex}`, { platform: 'linux/amd64', seed: 'referrers' })
    const signature = await pushImage(`${app()}-amd64:sha256-${hex}.sig`, { platform: 'linux/amd64', seed: 'signature' })
    await stack.waitForVersion(app(), 'main', (v) => v.state === 'published')
    for (let i = 0; i < 2; i++) {
      await sweep(stack.server.deps)
      await stack.server.idle()
    }
    expect(await versionsOf()).toEqual(['main', 'v1.0.0'])
    expect((await stack.status()).images[0].tags.latest.version).toBe('v1.0.0')
    expect((await skopeoInspectRaw(`${app()}:latest`)).digest).toBe(v1.published.digest)
    // The child's cosign-style signature tag is copied into the target (distribution 2.8: no referrers API).
    expect((await skopeoInspectRaw(`${app()}:sha256-${hex}.sig`)).digest).toBe(signature.tagDigest)
  }, 120_000)

  it('a delivery naming a tag never pushed publishes nothing; the genuine push afterwards publishes and moves latest', async () => {
    const children = await Promise.all(ARCHES.map(([arch]) => skopeoInspectRaw(`${app()}-${arch}:v1.0.0`)))
    const events = ARCHES.map(([arch], i) => ({
      id: `forged-${arch}`,
      action: 'push',
      target: { mediaType: children[i]!.json.mediaType, digest: children[i]!.digest, repository: `demo/app-${arch}`, tag: 'v9.0.0' },
      request: { host: stack.host, method: 'PUT' },
    }))
    const response = await fetch(`${stack.server.url}/webhooks/distribution`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify({ events }),
    })
    expect(response.status).toBe(202)
    await stack.server.idle()
    await sweep(stack.server.deps)
    await stack.server.idle()
    await expect(skopeoInspectRaw(`${app()}:v9.0.0`)).rejects.toThrow()
    expect((await stack.status()).images[0].tags.latest.version).toBe('v1.0.0')
    await pushAll('v9.0.0')
    const v9 = await stack.waitForVersion(app(), 'v9.0.0', (v) => v.state === 'published')
    await stack.server.idle()
    expect((await skopeoInspectRaw(`${app()}:latest`)).digest).toBe(v9.published.digest)
  }, 120_000)
})
