// `manifest-hook publish` and `status` against a real distribution registry: the dry run sends no
// write (counted at a proxy in front of the registry) and prints the same index the real publish
// then pushes; skopeo reads back what was published.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { silentLogger } from '../../src/log.ts'
import { startNodeServer } from '../../src/runtime/node/node-server.ts'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'
import { runCliCaptured } from '../runtime/node/cli/run-cli.ts'

const WRITE_METHODS = ['PUT', 'POST', 'PATCH', 'DELETE']

describeWithTools(['docker-registry', 'skopeo'], 'e2e: manifest-hook publish and status', () => {
  let registry: RegistryServer
  let proxy: FaultProxy
  let dir: string
  const app = () => `${registry.host}/demo/app`
  const run = (argv: string[]) => runCliCaptured(argv, { cwd: dir, env: { HOOK_TOKEN: 't' } })
  const writes = () => proxy.log.filter((entry) => WRITE_METHODS.includes(entry.method))
  const pushed: Record<string, string> = {}

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mh-cli-e2e-'))
    registry = await startRegistry()
    proxy = await startFaultProxy({ target: registry.url })
    writeFileSync(join(dir, 'manifest-hook.json'), JSON.stringify({
      registries: { [registry.host]: { insecure: true, endpoint: proxy.url } },
      sources: { distribution: { token: { env: 'HOOK_TOKEN' } } },
      images: [{ target: app(), from: `${app()}-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'] }],
    }))
    for (const arch of ['amd64', 'arm64']) pushed[arch] = (await pushImage(`${app()}-${arch}:v1.0.0`, { platform: `linux/${arch}`, seed: `cli-${arch}` })).manifestDigest
  }, 60_000)
  afterAll(async () => {
    await proxy?.close()
    await registry?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  let dryRunIndex = ''
  it('--dry-run prints the index and the writes it would make, and sends no write', async () => {
    const result = await run(['publish', app(), 'v1.0.0', '--dry-run'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(writes()).toEqual([])
    expect(proxy.log.filter((e) => e.method === 'HEAD' && e.path.startsWith('/v2/demo/app-')).map((e) => e.path).sort()).toEqual(['/v2/demo/app-amd64/manifests/v1.0.0', '/v2/demo/app-arm64/manifests/v1.0.0'])
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe(`linux/amd64    ${app()}-amd64:v1.0.0  ${pushed.amd64}`)
    expect(lines[1]).toBe(`linux/arm64    ${app()}-arm64:v1.0.0  ${pushed.arm64}`)
    // Each child: config + one layer, then its manifest; then the version tag and latest.
    expect(lines.filter((l) => l.startsWith('  blob ') && l.endsWith('would copy'))).toHaveLength(4)
    expect(lines.filter((l) => /^  child sha256:[0-9a-f]{12} {2}-> .* {2}would put$/.test(l))).toHaveLength(2)
    expect(lines.filter((l) => l.startsWith('  tag   ')).sort()).toEqual([`  tag   latest  -> ${app()}  would put`, `  tag   v1.0.0  -> ${app()}  would put`])
    dryRunIndex = /^index (sha256:[0-9a-f]{64}) /m.exec(result.stdout)?.[1] ?? ''
    const json = JSON.parse(result.stdout.slice(result.stdout.indexOf('\n{') + 1, result.stdout.lastIndexOf('}') + 1))
    expect(json.manifests.map((m: any) => m.digest)).toEqual([pushed.amd64, pushed.arm64])
    expect(result.stdout).toContain('tags: v1.0.0; moved: latest in ')
    expect(lines.at(-2)).toBe('dry run: nothing was written to the registry or the state file')
    expect((await fetch(`${registry.url}/v2/demo/app/tags/list`)).status).toBe(404)
    expect(existsSync(join(dir, '.manifest-hook'))).toBe(false)
  }, 30_000)

  it('publishes the same index and moves latest, then status shows it from the state file', async () => {
    const result = await run(['publish', app(), 'v1.0.0'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`index ${dryRunIndex} (application/vnd.docker.distribution.manifest.list.v2+json, 2 manifests)`)
    expect(result.stdout).toContain(`tags: v1.0.0; moved: latest in ${app()}`)
    expect(result.stdout.split('\n').filter((l) => l.startsWith('  blob ')).map((l) => l.split('  ').at(-1))).toEqual(['mounted', 'mounted', 'mounted', 'mounted'])
    for (const tag of ['v1.0.0', 'latest']) expect((await skopeoInspectRaw(`${app()}:${tag}`)).digest).toBe(dryRunIndex)
    const status = await run(['status'])
    expect(status.code).toBe(0)
    expect(status.stdout).toBe([
      `${app()}  (latest -> v1.0.0)`,
      '  VERSION  STATE      linux/amd64  linux/arm64',
      '  v1.0.0   published  ok           ok',
      '',
    ].join('\n'))
  }, 30_000)

  it('--dry-run over an existing state file decides latest as the server would, and changes nothing', async () => {
    for (const arch of ['amd64', 'arm64']) await pushImage(`${app()}-${arch}:v0.9.0`, { platform: `linux/${arch}`, seed: `cli-old-${arch}` })
    const before = writes().length
    const result = await run(['publish', app(), 'v0.9.0', '--dry-run'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('tags: v0.9.0; no moving tag moved in ')
    expect(result.stdout.split('\n').filter((l) => l.startsWith('  tag   '))).toEqual([`  tag   v0.9.0  -> ${app()}  would put`])
    expect(writes().length).toBe(before)
    expect((await run(['status'])).stdout).toBe(`${app()}  (latest -> v1.0.0)\n  VERSION  STATE      linux/amd64  linux/arm64\n  v1.0.0   published  ok           ok\n`)
  }, 30_000)

  it('status --url reads a running server; an unreachable one exits 1', async () => {
    const config = parseConfig({ images: [{ target: app(), from: `${app()}-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'] }], registries: { [registry.host]: { insecure: true } }, server: { sweepIntervalSeconds: 0, adminToken: 'admin' } })
    const server = await startNodeServer({ config, dataPath: join(dir, '.manifest-hook/state.db'), port: 0, log: silentLogger })
    try {
      const closed = await run(['status', '--url', server.url])
      expect(closed.code).toBe(1)
      expect(closed.stderr).toMatch(/^error: GET \/status answered 401 \(set MANIFEST_HOOK_ADMIN_TOKEN\): /)
      const asAdmin = (argv: string[]) => runCliCaptured(argv, { cwd: dir, env: { MANIFEST_HOOK_ADMIN_TOKEN: 'admin' } })
      const result = await asAdmin(['status', app(), '--url', server.url, '--version', 'v1.0.0'])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('  v1.0.0   published  ok           ok\n')
      const json = await asAdmin(['status', '--url', server.url, '--json'])
      expect(JSON.parse(json.stdout).images[0].versions[0]).toMatchObject({ version: 'v1.0.0', state: 'published', published: { digest: dryRunIndex } })
    } finally {
      await server.close()
    }
    const down = await run(['status', '--url', server.url])
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:\d+: /)
  }, 30_000)

  it('exits 1 and writes nothing when an arch tag is missing', async () => {
    await pushImage(`${app()}-amd64:v2.0.0`, { platform: 'linux/amd64', seed: 'cli-v2' })
    const before = writes().length
    const result = await run(['publish', app(), 'v2.0.0'])
    expect(result.stdout.split('\n').filter((l) => l.startsWith('  '))).toEqual([])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`linux/arm64    ${app()}-arm64:v2.0.0  not found`)
    expect(result.stderr).toBe(`error: ${app()}:v2.0.0 is incomplete; missing ${app()}-arm64:v2.0.0\n`)
    expect(writes().length).toBe(before)
    const unknown = await run(['publish', `${registry.host}/demo/other`, 'v1'])
    expect(unknown).toMatchObject({ code: 1, stderr: `error: no configured image has the target "${registry.host}/demo/other" (configured: ${app()})\n` })
  }, 30_000)
})
