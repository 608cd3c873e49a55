// Publishing end to end against registries that require authentication: distribution 2.8 with
// `auth: token` (test/support/token-server.ts signs the JWTs) and with htpasswd (Basic). Our server
// talks to the registry through a recording proxy, so every 401 and mount answer can be checked.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/log.ts'
import { startNodeServer, type NodeServer } from '../../src/runtime/node/node-server.ts'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts'
import { getFreePort } from '../support/free-port.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage, skopeoInspectRaw, type Creds } from '../support/skopeo.ts'
import { startTokenServer, type TokenServer } from '../support/token-server.ts'
import { describeWithTools } from '../support/tools.ts'

const WEBHOOK = 'auth-webhook-token'
const PUSHER: Creds = { username: 'ci-pusher', password: 'pusher-Pa55' }
const PUBLISHER: Creds = { username: 'publisher', password: 'publisher-Pa55' }
const AMD = { arch: 'amd64', platform: 'linux/amd64' }
const ARM = { arch: 'arm64', platform: 'linux/arm64' }
const V7 = { arch: 'armv7', platform: 'linux/arm/v7' }
type Arch = typeof AMD

interface Stack {
  server: NodeServer
  dataDir: string
  status(image: string, version: string): Promise<any>
  waitPublished(image: string, version: string): Promise<any>
}

async function startServer(config: unknown): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mh-auth-'))
  const server = await startNodeServer({ config: parseConfig(config), dataPath: join(dataDir, 'state.db'), port: 0, log: silentLogger })
  const status = async (image: string, version: string) => {
    const all: any = await (await fetch(`${server.url}/status`)).json()
    return all.images.find((i: any) => i.image === image)?.versions.find((v: any) => v.version === version)
  }
  const waitPublished = async (image: string, version: string) => {
    const deadline = Date.now() + 30_000
    for (;;) {
      const found = await status(image, version)
      const latestDone = found?.state === 'published'
      if (latestDone) {
        await server.idle()
        return found
      }
      if (Date.now() > deadline) throw new Error(`${image}:${version} not published; status: ${JSON.stringify(found)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return { server, dataDir, status, waitPublished }
}

async function pushArches(host: string, arches: Arch[], tagOf: (arch: string) => string, seed: string): Promise<string[]> {
  const digests = []
  for (const { arch, platform } of arches) digests.push((await pushImage(`${host}/${tagOf(arch)}`, { platform, seed: `${seed}-${arch}`, creds: PUSHER })).manifestDigest)
  return digests
}

describeWithTools(['docker-registry', 'skopeo', 'openssl'], 'e2e: token-authenticated registry (distribution 2.8 auth: token)', () => {
  let tokens: TokenServer
  let registry: RegistryServer
  let elsewhere: RegistryServer
  let proxy: FaultProxy
  let stack: Stack
  let host: string
  let otherHost: string
  // Test hook: refuse pull on this repository to the publisher's next token request (then grant again).
  let refusePullOnce: string | undefined

  beforeAll(async () => {
    tokens = await startTokenServer({
      users: { [PUSHER.username]: PUSHER.password, [PUBLISHER.username]: PUBLISHER.password },
      grant: (user, repository, requested) => {
        if (user === PUBLISHER.username && repository === refusePullOnce) {
          refusePullOnce = undefined
          return requested.filter((action) => action !== 'pull')
        }
        return user ? requested : []
      },
    })
    const [port, otherPort] = [await getFreePort(), await getFreePort()]
    host = `127.0.0.1:${port}`
    otherHost = `127.0.0.1:${otherPort}`
    proxy = await startFaultProxy({ target: `http://${host}` })
    const image = (target: string, from: string, arches: Arch[]) => ({ target, from, platforms: arches.map((a) => a.platform) })
    stack = await startServer({
      registries: {
        [host]: { insecure: true, endpoint: proxy.url, username: PUBLISHER.username, password: PUBLISHER.password, tokenRealms: [tokens.realm] },
        [otherHost]: { insecure: true, username: PUBLISHER.username, password: PUBLISHER.password },
      },
      sources: { distribution: { token: WEBHOOK } },
      images: [
        image(`${host}/demo/suffix`, `${host}/demo/suffix:{version}-{arch}`, [AMD, ARM]),
        image(`${host}/demo/app`, `${host}/demo/app-{arch}:{version}`, [AMD, ARM, V7]),
        image(`${host}/demo/scoped`, `${host}/demo/scoped-{arch}:{version}`, [AMD]),
        image(`${otherHost}/demo/far`, `${otherHost}/demo/far:{version}-{arch}`, [AMD]),
      ],
      server: { sweepIntervalSeconds: 0, publicStatus: true },
    })
    const notifications = [{ url: `${stack.server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK}`] } }]
    registry = await startRegistry({ port, token: tokens, notifications })
    // Same token service, but advertised under another host name than the registry's own.
    const foreignRealm = tokens.realm.replace('127.0.0.1', 'localhost')
    elsewhere = await startRegistry({ port: otherPort, token: { ...tokens, realm: foreignRealm }, notifications })
    // The start-up sweep (its tag listings take tokens of their own) is over before any is counted.
    await stack.server.idle()
  }, 60_000)
  afterAll(async () => {
    await registry?.stop()
    await elsewhere?.stop()
    await stack?.server.close()
    if (stack) rmSync(stack.dataDir, { recursive: true, force: true })
    await proxy?.close()
    await tokens?.stop()
  })

  const ourTokenRequests = (since: number) => tokens.requests.slice(since).filter((r) => r.user === PUBLISHER.username)

  it('publishes suffix tags with one token request, and the next version with none (cached per scope)', async () => {
    const first = tokens.requests.length
    const children = await pushArches(host, [AMD, ARM], (arch) => `demo/suffix:v1.0.0-${arch}`, 'suffix-1')
    const status = await stack.waitPublished(`${host}/demo/suffix`, 'v1.0.0')
    expect(ourTokenRequests(first)).toHaveLength(1)
    const raw = await skopeoInspectRaw(`${host}/demo/suffix:latest`, PUSHER)
    expect(raw.digest).toBe(status.published.digest)
    expect(raw.json.manifests.map((m: any) => m.digest)).toEqual(children)

    const second = tokens.requests.length
    await pushArches(host, [AMD, ARM], (arch) => `demo/suffix:v1.1.0-${arch}`, 'suffix-2')
    await stack.waitPublished(`${host}/demo/suffix`, 'v1.1.0')
    expect(ourTokenRequests(second)).toEqual([])
  }, 60_000)

  it('publishes from separate repositories; an expired token is replaced, not reused', async () => {
    tokens.setExpiresIn(2)
    try {
      const first = tokens.requests.length
      const children = await pushArches(host, [AMD, ARM, V7], (arch) => `demo/app-${arch}:v1.0.0`, 'app-1')
      const status = await stack.waitPublished(`${host}/demo/app`, 'v1.0.0')
      // One per arch at most: each arrival reads another repository (see the report on declaring them all up front).
      const issued = ourTokenRequests(first)
      expect(issued.length).toBeGreaterThanOrEqual(1)
      expect(issued.length).toBeLessThanOrEqual(3)
      expect((await skopeoInspectRaw(`${host}/demo/app:v1.0.0`, PUSHER)).json.manifests.map((m: any) => m.digest)).toEqual(children)
      expect(status.published.digest).toBe((await skopeoInspectRaw(`${host}/demo/app:latest`, PUSHER)).digest)

      // The client retires a 2 s token after 1 s (the registry itself would accept it for 60 s more).
      await new Promise((resolve) => setTimeout(resolve, 1_200))
      const second = tokens.requests.length
      await pushArches(host, [AMD, ARM, V7], (arch) => `demo/app-${arch}:v1.1.0`, 'app-2')
      await stack.waitPublished(`${host}/demo/app`, 'v1.1.0')
      const refreshed = ourTokenRequests(second)
      expect(refreshed.length).toBeGreaterThanOrEqual(1)
      expect(refreshed[0]!.at - (issued.at(-1)?.at ?? 0)).toBeGreaterThanOrEqual(1_000)
    } finally {
      tokens.setExpiresIn(300)
    }
  }, 60_000)

  it('answers a mount refused with 401 insufficient_scope by getting a wider token, then mounts', async () => {
    const before = proxy.log.length
    refusePullOnce = 'demo/scoped-amd64'
    // skopeo's own token requests come from another user, so the hook waits for ours.
    const [child] = await pushArches(host, [AMD], (arch) => `demo/scoped-${arch}:v1.0.0`, 'scoped')
    await stack.waitPublished(`${host}/demo/scoped`, 'v1.0.0')
    expect(refusePullOnce).toBeUndefined()
    const mounts = proxy.log.slice(before).filter((r) => r.method === 'POST' && r.path.includes('mount='))
    expect(mounts.some((r) => r.status === 401)).toBe(true)
    expect(mounts.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(2)
    // Mounted, not copied: no blob was uploaded into the target.
    expect(proxy.log.slice(before).filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'))).toEqual([])
    expect((await skopeoInspectRaw(`${host}/demo/scoped:v1.0.0`, PUSHER)).json.manifests.map((m: any) => m.digest)).toEqual([child])
  }, 60_000)

  it('refuses to send credentials to a token realm on another host', async () => {
    const before = tokens.requests.length
    await pushArches(otherHost, [AMD], (arch) => `demo/far:v1.0.0-${arch}`, 'far')
    const deadline = Date.now() + 20_000
    let found: any
    while (!found?.lastError && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      found = await stack.status(`${otherHost}/demo/far`, 'v1.0.0')
    }
    expect(JSON.stringify(found.lastError)).toContain('token realm refused')
    expect(found.state).not.toBe('published')
    expect(ourTokenRequests(before)).toEqual([])
  }, 60_000)
})

describeWithTools(['docker-registry', 'skopeo'], 'e2e: htpasswd (Basic) registry', () => {
  let registry: RegistryServer
  let stack: Stack
  let host: string

  beforeAll(async () => {
    const port = await getFreePort()
    host = `127.0.0.1:${port}`
    stack = await startServer({
      registries: { [host]: { insecure: true, username: PUBLISHER.username, password: PUBLISHER.password } },
      sources: { distribution: { token: WEBHOOK } },
      images: [{ target: `${host}/demo/suffix`, from: `${host}/demo/suffix:{version}-{arch}`, platforms: [AMD.platform, ARM.platform] }],
      server: { sweepIntervalSeconds: 0, publicStatus: true },
    })
    registry = await startRegistry({
      port,
      htpasswd: [PUSHER, PUBLISHER],
      notifications: [{ url: `${stack.server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK}`] } }],
    })
  }, 60_000)
  afterAll(async () => {
    await registry?.stop()
    await stack?.server.close()
    if (stack) rmSync(stack.dataDir, { recursive: true, force: true })
  })

  describe('with configured username and password', () => {
    it('publishes the version and latest', async () => {
      const children = await pushArches(host, [AMD, ARM], (arch) => `demo/suffix:v1.0.0-${arch}`, 'basic')
      const status = await stack.waitPublished(`${host}/demo/suffix`, 'v1.0.0')
      for (const tag of ['v1.0.0', 'latest']) {
        const raw = await skopeoInspectRaw(`${host}/demo/suffix:${tag}`, PUSHER)
        expect(raw.digest).toBe(status.published.digest)
        expect(raw.json.manifests.map((m: any) => m.digest)).toEqual(children)
      }
    }, 60_000)
  })
})

// Separate repositories: 3 source repositories and 1 target on one registry, one token for the whole publish.
describeWithTools(['docker-registry', 'skopeo', 'openssl'], 'e2e: one token request per registry for a separate-repository publish', () => {
  let tokens: TokenServer
  let registry: RegistryServer
  let stack: Stack
  let host: string
  beforeAll(async () => {
    tokens = await startTokenServer({ users: { [PUSHER.username]: PUSHER.password, [PUBLISHER.username]: PUBLISHER.password } })
    const port = await getFreePort()
    host = `127.0.0.1:${port}`
    stack = await startServer({
      registries: { [host]: { insecure: true, username: PUBLISHER.username, password: PUBLISHER.password, tokenRealms: [tokens.realm] } },
      sources: { distribution: { token: WEBHOOK } },
      images: [{ target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: [AMD.platform, ARM.platform, V7.platform] }],
      server: { sweepIntervalSeconds: 0, publicStatus: true },
    })
    registry = await startRegistry({ port, token: tokens, notifications: [{ url: `${stack.server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK}`] } }] })
    await stack.server.idle()
  }, 60_000)
  afterAll(async () => {
    await registry?.stop()
    await stack?.server.close()
    await tokens?.stop()
    if (stack) rmSync(stack.dataDir, { recursive: true, force: true })
  })

  it('costs at most one token request per registry for the first publish of a 3-arch image', async () => {
    const before = tokens.requests.length
    await pushArches(host, [AMD, ARM, V7], (arch) => `demo/app-${arch}:v1.0.0`, 'app')
    await stack.waitPublished(`${host}/demo/app`, 'v1.0.0')
    expect(tokens.requests.slice(before).filter((r) => r.user === PUBLISHER.username)).toHaveLength(1)
    const index = await stack.status(`${host}/demo/app`, 'v1.0.0')
    expect(Object.keys(index.arrived)).toHaveLength(3)
  }, 60_000)
})
