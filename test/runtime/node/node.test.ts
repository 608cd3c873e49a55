// The Node runtime as users run it: `npm start` (build + dist/node.mjs) on 127.0.0.1, with and
// without a config file, and its SQLite state surviving a SIGKILL and restart.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../..')
const work = mkdtempSync(join(tmpdir(), 'mh-node-runtime-'))
const children = new Set<ChildProcess>()

interface Started {
  child: ChildProcess
  url: string
  output: () => string
}

// Each server runs in its own process group so that stopping `npm start` stops the server it runs.
function start(command: string, args: readonly string[], cwd = work): Promise<Started> {
  const child = spawn(command, [...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MANIFEST_HOOK_CONFIG: '' } })
  children.add(child)
  let output = ''
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${output}`)), 30_000)
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1] && /status: GET/.test(output)) {
        clearTimeout(timer)
        resolveStart({ child, url: match[1], output: () => output })
      }
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop(child.exitCode)
    child.once('exit', (code) => resolveStop(code))
    process.kill(-(child.pid as number), signal)
  })
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, [...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MANIFEST_HOOK_CONFIG: '' } })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk))
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk))
  return new Promise((resolveRun) => child.once('exit', (code) => resolveRun({ code, output })))
}

const node = (args: string[]) => [process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'dist/node.mjs'), ...args]] as const

beforeAll(async () => {
  const build = await new Promise<number | null>((done) => spawn(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' }).once('exit', done))
  expect(build).toBe(0)
}, 60_000)

afterAll(async () => {
  await Promise.all([...children].map((child) => stop(child, 'SIGKILL')))
  rmSync(work, { recursive: true, force: true })
})

describe('node runtime', () => {
  it('`npm start` with no config file starts, says where the config goes and lists the webhook URLs', async () => {
    const server = await start('npm', ['start', '--prefix', ROOT, '--', '--port', '0', '--data', join(work, 'empty.db')], work)
    expect(server.output()).toContain(`no config file at ${join(work, 'manifest-hook.json')}`)
    expect(server.output()).toMatch(/distribution\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/distribution\s+\(not configured\)/)
    expect(server.output()).toMatch(/dockerhub\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/dockerhub\/<secret>/)
    expect(server.output()).toMatch(/quay\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/quay\/<secret>/)
    expect(server.output()).toMatch(/github\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/github\s/)
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true })
    // Closed without server.adminToken or server.publicStatus.
    expect((await fetch(`${server.url}/status`)).status).toBe(403)
    await stop(server.child)
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  }, 60_000)

  it('uses --config FILE and --port N, and keeps arrivals across a SIGKILL', async () => {
    const configPath = join(work, 'config.json')
    // Port 9 (discard) on loopback: nothing listens, so the arrival stays pending with an error.
    writeFileSync(configPath, JSON.stringify({
      server: { publicStatus: true },
      registries: { '127.0.0.1:9': { insecure: true } },
      sources: { distribution: { token: 's3cret' } },
      images: [{ target: '127.0.0.1:9/demo/app', from: '127.0.0.1:9/demo/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64'] }],
    }))
    const port = 20000 + Math.floor(Math.random() * 20000)
    const args = ['--config', configPath, '--port', String(port), '--data', join(work, 'durable.db')]
    const first = await start(...node(args))
    expect(first.url).toBe(`http://127.0.0.1:${port}`)
    expect(first.output()).toContain('(1 image(s))')
    const body = JSON.stringify({ events: [{ action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: 'demo/app-arm64', tag: 'v1.0.2', digest: `sha256:${'a'.repeat(64)}` }, request: { host: '127.0.0.1:9' } }] })
    const delivered = await fetch(`${first.url}/webhooks/distribution`, { method: 'POST', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' }, body })
    expect(delivered.status).toBe(202)
    await stop(first.child, 'SIGKILL')

    const second = await start(...node(args))
    const status = await (await fetch(`${second.url}/status`)).json()
    expect(status.images[0].versions[0]).toMatchObject({ version: 'v1.0.2', state: 'waiting', missing: ['linux/amd64'], arrived: { '127.0.0.1:9/demo/app-arm64:v1.0.2': `sha256:${'a'.repeat(64)}` } })
    expect(await stop(second.child)).toBe(0)
  }, 60_000)

  it('refuses an invalid config and lists every bad key', async () => {
    const configPath = join(work, 'bad.json')
    writeFileSync(configPath, JSON.stringify({ images: [{ target: 'x', from: 'nope', platforms: ['linux/amd64', 'amd64'] }], sources: { distribution: { token: { env: 'NOT_SET_ANYWHERE' } } } }))
    const result = await run(...node(['--config', configPath, '--port', '0']))
    expect(result.code).toBe(1)
    expect(result.output).toContain('images.0.from')
    expect(result.output).toContain('images.0.platforms.1')
    expect(result.output).toContain('sources.distribution.token: environment variable NOT_SET_ANYWHERE is not set')
  }, 30_000)

  it('refuses a --config that does not exist', async () => {
    const result = await run(...node(['--config', join(work, 'missing.json'), '--port', '0']))
    expect(result.code).toBe(1)
    expect(result.output).toContain('missing.json does not exist')
  }, 30_000)
})
