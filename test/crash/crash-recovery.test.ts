// Crash recovery: our server runs as its own process (the Node bundle, SQLite state) and is killed
// with SIGKILL at chosen and at random points of a publish, located by holding one of its registry
// requests at a proxy. After a restart, the start-up sweep and the registry's redelivered events
// must finish the publish with nothing duplicated, and the state file must never be corrupt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRandom, startFaultProxy, type FaultProxy, type RequestMatcher } from '../support/fault-proxy.ts'
import { getFreePort } from '../support/free-port.ts'
import { buildNodeBundle, killAllNodeProcesses, startNodeProcess, type NodeProcess } from '../support/node-process.ts'
import { findMissingReferences, listTags, readManifest } from '../support/registry-check.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'

const TOKEN = 'crash-token'
const ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64', platform: 'linux/arm64' },
  { arch: 'armv7', platform: 'linux/arm/v7' },
] as const
// Reproducible "random" kill points: the n-th registry request of a publish, n drawn from this seed.
const KILL_SEED = Number(process.env.CRASH_SEED ?? 5)
const RECOVERY_MS = 30_000

describeWithTools(['docker-registry', 'skopeo'], 'crash recovery: SIGKILL during a publish, then restart', () => {
  let registry: RegistryServer
  let proxy: FaultProxy
  let bundle: Awaited<ReturnType<typeof buildNodeBundle>>
  let dir: string
  let host: string
  let serverPort: number
  let server: NodeProcess | undefined
  const published: { version: string; children: string[] }[] = []

  beforeAll(async () => {
    bundle = await buildNodeBundle()
    const registryPort = await getFreePort()
    serverPort = await getFreePort()
    host = `127.0.0.1:${registryPort}`
    dir = mkdtempSync(join(tmpdir(), 'mh-crash-'))
    proxy = await startFaultProxy({ target: `http://${host}` })
    const config = {
      registries: { [host]: { insecure: true, endpoint: proxy.url } },
      sources: { distribution: { token: TOKEN } },
      images: [{ target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: ARCHES.map((a) => a.platform) }],
      server: { sweepIntervalSeconds: 0, publicStatus: true },
    }
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
    registry = await startRegistry({
      port: registryPort,
      notifications: [{ url: `http://127.0.0.1:${serverPort}/webhooks/distribution`, headers: { Authorization: [`Bearer ${TOKEN}`] }, backoffMs: 200, timeoutMs: 1000 }],
    })
  }, 60_000)
  afterAll(async () => {
    await server?.kill('SIGKILL')
    killAllNodeProcesses()
    await registry?.stop()
    await proxy?.close()
    bundle?.remove()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const start = async () => (server = await startNodeProcess({ bundle: bundle.path, configPath: join(dir, 'config.json'), dataPath: join(dir, 'state.db'), port: serverPort }))

  function checkIntegrity(): void {
    const db = new DatabaseSync(join(dir, 'state.db'))
    try {
      expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
    } finally {
      db.close()
    }
  }

  async function pushVersion(version: string): Promise<string[]> {
    const children = []
    for (const { arch, platform } of ARCHES) children.push((await pushImage(`${host}/demo/app-${arch}:${version}`, { platform, seed: `crash-${version}-${arch}` })).manifestDigest)
    return children
  }

  async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + RECOVERY_MS
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${RECOVERY_MS} ms; server output:\n${server?.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  // Pushes a version, SIGKILLs the server when `match` holds one of its registry requests (after
  // `before()`), checks the file, restarts, and checks that the publish completed exactly once.
  async function crashDuringPublish(version: string, match: RequestMatcher, before: () => Promise<void> = async () => {}) {
    if (!server) await start()
    const hold = proxy.hold(match)
    const pushing = pushVersion(version)
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`kill point of ${version} never reached`)), RECOVERY_MS))
    await Promise.race([hold.reached, timeout])
    await before()
    await server?.kill('SIGKILL')
    server = undefined
    hold.drop()
    checkIntegrity()
    const children = await pushing
    published.push({ version, children })
    await start()
    await waitFor(`publish of ${version} and latest`, async () => {
      // Polled while the restarted server moves tags: distribution may still answer 5xx after
      // readManifest's retries (support/registry-check.ts) under load; the checks after stay strict.
      const read = Promise.all([readManifest(registry.url, 'demo/app', version), readManifest(registry.url, 'demo/app', 'latest')])
      const [index, latest] = await read.catch((error: unknown) => {
        if (error instanceof Error && / answered 5\d\d$/.test(error.message)) return [undefined, undefined]
        throw error
      })
      return index !== undefined && latest?.digest === index.digest
    })
    await expectPublishedOnce()
  }

  async function expectPublishedOnce(): Promise<void> {
    for (const { version, children } of published) {
      const index = await readManifest(registry.url, 'demo/app', version)
      expect(index?.json.manifests.map((m: any) => m.digest), version).toEqual(children)
      expect(await findMissingReferences(registry.url, 'demo/app', index?.json)).toEqual([])
    }
    expect(await listTags(registry.url, 'demo/app')).toEqual(['latest', ...published.map((p) => p.version)].sort())
    const status: any = await (await fetch(`${server?.url}/status`)).json()
    const versions = status.images[0].versions
    expect(versions.map((v: any) => v.version).sort()).toEqual(published.map((p) => p.version).sort())
    for (const v of versions) {
      expect(v.state, v.version).toBe('published')
      expect(Object.keys(v.arrived)).toHaveLength(ARCHES.length)
    }
  }

  const isPut = (reference: string): RequestMatcher => (r) => r.method === 'PUT' && r.path === `/v2/demo/app/manifests/${reference}`

  it('finishes a publish killed after the children were copied, before the index PUT', async () => {
    await crashDuringPublish('v1.0.0', isPut('v1.0.0'))
    // The child manifests were all copied before the kill, so the restart only had to put the index and latest:
    // each child was PUT exactly once.
    const childPuts = proxy.log.filter((r) => r.method === 'PUT' && r.path.startsWith('/v2/demo/app/manifests/sha256:') && r.status === 201)
    const children = published.find((p) => p.version === 'v1.0.0')?.children ?? []
    expect(children).toHaveLength(ARCHES.length)
    expect(childPuts.map((r) => r.path).sort()).toEqual(children.map((digest) => `/v2/demo/app/manifests/${digest}`).sort())
  }, 90_000)

  it('finishes a publish killed after the version PUT, before latest', async () => {
    const versionPut = () => waitFor('version PUT', async () => proxy.log.some((r) => isPut('v1.1.0')(r) && r.status === 201))
    await crashDuringPublish('v1.1.0', isPut('latest'), versionPut)
  }, 90_000)

  const random = createRandom(KILL_SEED)
  for (const version of ['v1.2.0', 'v1.3.0']) {
    // A publish of 3 arches from separate repositories makes about 17 registry requests.
    const nth = 1 + Math.floor(random() * 14)
    it(`finishes a publish killed at its registry request #${nth} (seed ${KILL_SEED})`, async () => {
      let seen = 0
      await crashDuringPublish(version, () => ++seen === nth)
      await server?.kill('SIGTERM')
      server = undefined
      checkIntegrity()
    }, 90_000)
  }
})
