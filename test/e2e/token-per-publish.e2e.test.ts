// Token requests per publish against distribution 2.8 with `auth: token`: the first publish of a
// 3-arch image from separate repositories (3 sources, 1 target) asks the token service once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/log.ts'
import { startNodeServer, type NodeServer } from '../../src/runtime/node-server.ts'
import { getFreePort } from '../support/free-port.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage, type Creds } from '../support/skopeo.ts'
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
      registries: { [host]: { insecure: true, username: PUBLISHER.username, password: PUBLISHER.password } },
      sources: { distribution: { token: WEBHOOK } },
      images: [{ target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: [AMD.platform, ARM.platform, V7.platform] }],
      server: { sweepIntervalSeconds: 0 },
    })
    registry = await startRegistry({ port, token: tokens, notifications: [{ url: `${stack.server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK}`] } }] })
  }, 60_000)
  afterAll(async () => {
    await registry?.stop()
    await stack?.server.close()
    await tokens?.stop()
    if (stack) rmSync(stack.dataDir, { recursive: true, force: true })
  })

  it('costs at most one token request per registry for the first publish of a 3-arch image', async () => {
    await pushArches(host, [AMD, ARM, V7], (arch) => `demo/app-${arch}:v1.0.0`, 'app')
    await stack.waitPublished(`${host}/demo/app`, 'v1.0.0')
    expect(tokens.requests.filter((r) => r.user === PUBLISHER.username)).toHaveLength(1)
    const index = await stack.status(`${host}/demo/app`, 'v1.0.0')
    expect(Object.keys(index.arrived)).toHaveLength(3)
  }, 60_000)
})
