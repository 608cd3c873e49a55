/**
 * Self-test of the end-to-end harness: a real distribution registry (plain, htpasswd, token auth),
 * images pushed and inspected by skopeo and the docker CLI, and the registry's webhook deliveries.
 */
import { existsSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { dockerManifestInspect } from './docker-cli.ts'
import { buildImage } from './oci-layout.ts'
import { startRegistry, type RegistryServer } from './registry-server.ts'
import { pushImage, skopeoInspect, skopeoInspectRaw } from './skopeo.ts'
import { startTokenServer, type TokenServer } from './token-server.ts'
import { describeWithTools, itWithTools } from './tools.ts'

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const EVENTS_TYPE = 'application/vnd.docker.distribution.events.v1+json'

interface Delivery {
  headers: IncomingHttpHeaders
  body: { events: any[] }
}

async function startListener() {
  const deliveries: Delivery[] = []
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const stop = () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))
  return { url: `http://127.0.0.1:${port}/webhooks/distribution`, deliveries, stop }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describeWithTools(['docker-registry', 'skopeo'], 'harness: registry, skopeo and notifications', () => {
  let listener: Awaited<ReturnType<typeof startListener>>
  let registry: RegistryServer
  const pushEvent = (repository: string, tag: string) => () =>
    listener.deliveries.find((d) => d.body.events.some((e) => e.action === 'push' && e.target.repository === repository && e.target.tag === tag))

  beforeAll(async () => {
    listener = await startListener()
    const endpoint = { url: listener.url, headers: { Authorization: ['Bearer s3cret'] }, ignoreActions: ['pull'] }
    registry = await startRegistry({ notifications: [endpoint] })
  })
  afterAll(async () => {
    await registry?.stop()
    await listener?.stop()
  })

  it('pushes a docker-format image and the registry notifies the tag push', async () => {
    const pushed = await pushImage(`${registry.host}/demo/plain:v1-amd64`, { platform: 'linux/amd64' })
    expect(pushed.mediaType).toBe(DOCKER_MANIFEST)
    expect(pushed.manifestDigest).toBe(pushed.tagDigest)
    const head = await fetch(`${registry.url}/v2/demo/plain/manifests/v1-amd64`, { method: 'HEAD', headers: { accept: DOCKER_MANIFEST } })
    expect(head.headers.get('docker-content-digest')).toBe(pushed.tagDigest)
    const inspected = await skopeoInspect(`${registry.host}/demo/plain:v1-amd64`)
    expect(inspected).toMatchObject({ architecture: 'amd64', os: 'linux', configDigest: pushed.configDigest })
    const delivery = await waitFor('push event for v1-amd64', pushEvent('demo/plain', 'v1-amd64'))
    expect(delivery.headers['content-type']).toBe(EVENTS_TYPE)
    expect(delivery.headers.authorization).toBe('Bearer s3cret')
    const event = delivery.body.events.find((e) => e.target.tag === 'v1-amd64')
    expect(event.target).toMatchObject({ mediaType: DOCKER_MANIFEST, digest: pushed.tagDigest })
  })

  it('pushes an OCI image unconverted when asked for format oci', async () => {
    const pushed = await pushImage(`${registry.host}/demo/oci:v1-arm64`, { platform: 'linux/arm64', format: 'oci' })
    expect(pushed.mediaType).toBe(OCI_MANIFEST)
    const raw = await skopeoInspectRaw(`${registry.host}/demo/oci:v1-arm64`)
    expect(raw.digest).toBe(pushed.tagDigest)
    expect(raw.json.config.digest).toBe(pushed.configDigest)
    expect(await skopeoInspect(`${registry.host}/demo/oci:v1-arm64`)).toMatchObject({ architecture: 'arm64', os: 'linux' })
  })

  it('pushes a buildx-style index; --override-arch/variant pick its image, other platforms fail', async () => {
    const ref = `${registry.host}/demo/attested:v1-armv7`
    const pushed = await pushImage(ref, { platform: 'linux/arm/v7', attestation: true, osVersion: '10.0.1', osFeatures: ['sse4'] })
    expect(pushed.mediaType).toBe(OCI_INDEX)
    const { json } = await skopeoInspectRaw(ref)
    expect(json.manifests[0]).toMatchObject({ digest: pushed.manifestDigest, platform: { architecture: 'arm', variant: 'v7', 'os.version': '10.0.1' } })
    expect(json.manifests[1].annotations['vnd.docker.reference.digest']).toBe(pushed.manifestDigest)
    expect(json.manifests[1].platform).toEqual({ architecture: 'unknown', os: 'unknown' })
    const picked = await skopeoInspect(ref, { os: 'linux', arch: 'arm', variant: 'v7' })
    // skopeo reports the index digest as Digest; the picked child shows in its config digest.
    expect(picked).toEqual({ digest: pushed.tagDigest, architecture: 'arm', os: 'linux', variant: 'v7', configDigest: pushed.configDigest })
    await expect(skopeoInspect(ref, { arch: 'amd64' })).rejects.toThrow(/no image found/)
    await expect(skopeoInspect(ref, { arch: 'arm', variant: 'v6' })).rejects.toThrow(/no image found/)
    await waitFor('push event for the index tag', pushEvent('demo/attested', 'v1-armv7'))
  })

  it('delivers events in order and honours ignore.actions (no pull events after inspects)', async () => {
    await pushImage(`${registry.host}/demo/plain:v2-amd64`, { platform: 'linux/amd64' })
    await waitFor('push event for v2-amd64', pushEvent('demo/plain', 'v2-amd64'))
    const actions = listener.deliveries.flatMap((d) => d.body.events.map((e) => e.action))
    expect(actions).toContain('push')
    expect(actions).not.toContain('pull')
  })
})

it('harness: buildImage is deterministic per seed and writes gzipped ustar layers', async () => {
  const [a, b, c] = await Promise.all(['s1', 's1', 's2'].map((seed) => buildImage({ platform: 'linux/amd64', seed })))
  try {
    expect(a!.manifestDigest).toBe(b!.manifestDigest)
    expect(c!.manifestDigest).not.toBe(a!.manifestDigest)
    const manifest = JSON.parse(await readFile(join(a!.dir, 'blobs', 'sha256', a!.manifestDigest.slice(7)), 'utf8'))
    const tar = gunzipSync(await readFile(join(a!.dir, 'blobs', 'sha256', manifest.layers[0].digest.slice(7))))
    expect(tar.subarray(257, 262).toString()).toBe('ustar')
    expect(tar.subarray(0, 8).toString()).toBe('layer-0-')
    expect(tar.subarray(512, 520).toString()).toBe('seed s1 ')
    expect(tar.length % 512).toBe(0)
  } finally {
    await Promise.all([a, b, c].map((image) => image?.cleanup()))
  }
})

itWithTools(['docker-registry'], 'harness: stop() ends the registry and removes its storage', async () => {
  const registry = await startRegistry()
  expect((await fetch(`${registry.url}/v2/`)).status).toBe(200)
  await registry.stop()
  expect(existsSync(registry.dataDir)).toBe(false)
  await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow()
})

itWithTools(['docker-registry'], 'harness: startRegistry fails with the logs when an explicit port is taken', async () => {
  const blocker = createTcpServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const { port } = blocker.address() as { port: number }
  try {
    await expect(startRegistry({ port })).rejects.toThrow(/address already in use/)
  } finally {
    await new Promise((resolve) => blocker.close(resolve))
  }
})

describeWithTools(['docker-registry', 'skopeo'], 'harness: htpasswd registry', () => {
  const creds = { username: 'writer', password: 'pa55-word' }
  let registry: RegistryServer
  beforeAll(async () => void (registry = await startRegistry({ htpasswd: [creds] })))
  afterAll(async () => registry?.stop())

  it('accepts pushes and inspects with credentials only', async () => {
    const ref = `${registry.host}/demo/basic:v1`
    await expect(pushImage(ref, { platform: 'linux/amd64' })).rejects.toThrow(/unauthorized|authentication required/)
    const pushed = await pushImage(ref, { platform: 'linux/amd64', creds })
    await expect(skopeoInspect(ref)).rejects.toThrow(/unauthorized|authentication required/)
    expect(await skopeoInspect(ref, undefined, creds)).toMatchObject({ digest: pushed.tagDigest, architecture: 'amd64' })
    const wrong = await skopeoInspect(ref, undefined, { ...creds, password: 'nope-wrong' }).catch((error: Error) => error.message)
    expect(wrong).toMatch(/--creds writer:\*\*\*/)
    expect(wrong).not.toMatch(/nope-wrong/)
  })
})

describeWithTools(['docker-registry', 'skopeo', 'openssl'], 'harness: token-auth registry', () => {
  const creds = { username: 'alice', password: 'al1ce-secret' }
  let tokens: TokenServer
  let registry: RegistryServer
  beforeAll(async () => {
    tokens = await startTokenServer({ users: { [creds.username]: creds.password } })
    registry = await startRegistry({ token: tokens })
  })
  afterAll(async () => {
    await registry?.stop()
    await tokens?.stop()
  })

  it('issues ES256 JWTs with x5c, aud, iss and granted access; rejects bad Basic credentials', async () => {
    const basic = (password: string) => `Basic ${Buffer.from(`${creds.username}:${password}`).toString('base64')}`
    const query = `?service=${tokens.service}&scope=repository:demo/x:pull,push`
    expect((await fetch(tokens.realm + query, { headers: { authorization: basic('wrong') } })).status).toBe(401)
    const body = await (await fetch(tokens.realm + query, { headers: { authorization: basic(creds.password) } })).json()
    const [header, claims, signature] = (body.token as string).split('.')
    expect(body.access_token).toBe(body.token)
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ typ: 'JWT', alg: 'ES256' })
    const decoded = JSON.parse(Buffer.from(claims!, 'base64url').toString())
    expect(decoded).toMatchObject({ iss: tokens.issuer, aud: tokens.service, sub: 'alice' })
    expect(decoded.access).toEqual([{ type: 'repository', name: 'demo/x', actions: ['pull', 'push'] }])
    expect(Buffer.from(signature!, 'base64url')).toHaveLength(64)
  })

  it('setExpiresIn moves exp; the registry allows 60 s of leeway past it', async () => {
    const tokenFor = async (expiresIn: number) => {
      tokens.setExpiresIn(expiresIn)
      const body = await (await fetch(`${tokens.realm}?service=${tokens.service}&scope=repository:demo/none:pull`)).json()
      return body.token as string
    }
    const status = async (token: string) =>
      (await fetch(`${registry.url}/v2/demo/none/tags/list`, { headers: { authorization: `Bearer ${token}` } })).status
    try {
      expect(await status(await tokenFor(300))).toBe(404) // authorized; the repository just does not exist
      expect(await status(await tokenFor(-30))).toBe(404) // expired 30 s ago, still inside the leeway
      expect(await status(await tokenFor(-120))).toBe(401)
    } finally {
      tokens.setExpiresIn(300)
    }
  })

  it('lets a user push through the token flow; anonymous users may pull but not push', async () => {
    const ref = `${registry.host}/demo/tok:v1`
    const before = tokens.requests.length
    const pushed = await pushImage(ref, { platform: 'linux/amd64', creds })
    const mine = tokens.requests.slice(before)
    expect(mine.some((r) => r.user === 'alice' && r.scopes.includes('repository:demo/tok:pull,push'))).toBe(true)
    expect(await skopeoInspect(ref)).toMatchObject({ digest: pushed.tagDigest })
    await expect(pushImage(`${registry.host}/demo/tok:v2`, { platform: 'linux/amd64' })).rejects.toThrow(/denied/)
    expect(tokens.requests.slice(before).some((r) => r.user === undefined)).toBe(true)
  })
})

describeWithTools(['docker-registry', 'skopeo', 'docker'], 'harness: docker CLI', () => {
  let registry: RegistryServer
  beforeAll(async () => void (registry = await startRegistry()))
  afterAll(async () => registry?.stop())

  it('docker manifest inspect sees the pushed manifest and its media type', async () => {
    const pushed = await pushImage(`${registry.host}/demo/cli:v1-amd64`, { platform: 'linux/amd64' })
    const manifest = await dockerManifestInspect(`${registry.host}/demo/cli:v1-amd64`)
    expect(manifest.mediaType).toBe(pushed.mediaType)
    expect(manifest.config.digest).toBe(pushed.configDigest)
  })
})
