// Durability of acknowledgements under concurrency: the SQLite store commits the saves of one
// event-loop turn together (group commit), so this checks that every webhook our server process
// answered with 202 is still recorded after a SIGKILL that lands in the middle of a burst.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFreePort } from '../support/free-port.ts'
import { buildNodeBundle, killAllNodeProcesses, startNodeProcess, type NodeProcess } from '../support/node-process.ts'

const TOKEN = 'durable-token'
const DELIVERIES = 400
const CONCURRENCY = 40
const KILL_AFTER = 150

describe('acknowledged deliveries survive SIGKILL (group commit)', () => {
  let bundle: Awaited<ReturnType<typeof buildNodeBundle>>
  let dir: string
  let host: string
  let server: NodeProcess | undefined

  beforeAll(async () => {
    bundle = await buildNodeBundle()
    dir = mkdtempSync(join(tmpdir(), 'mh-durable-'))
    // Nothing listens on this port: the deferred resolve work fails fast and is recorded for the sweep.
    host = `127.0.0.1:${await getFreePort()}`
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      registries: { [host]: { insecure: true } },
      sources: { distribution: { token: TOKEN } },
      images: [{ target: `${host}/demo/app`, from: `${host}/demo/app:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'] }],
      server: { sweepIntervalSeconds: 0, publicStatus: true },
    }))
  }, 60_000)
  afterAll(async () => {
    await server?.kill('SIGKILL')
    killAllNodeProcesses()
    bundle?.remove()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const start = async (port: number) => (server = await startNodeProcess({ bundle: bundle.path, configPath: join(dir, 'config.json'), dataPath: join(dir, 'state.db'), port }))

  function delivery(version: string): RequestInit {
    const target = { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', repository: 'demo/app', tag: `${version}-amd64`, digest: `sha256:${'a'.repeat(64)}` }
    return {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
      body: JSON.stringify({ events: [{ id: version, action: 'push', target, request: { host } }] }),
    }
  }

  it('keeps every delivery it answered with 202', async () => {
    const port = await getFreePort()
    const running = await start(port)
    const acknowledged: string[] = []
    let next = 0
    let killed: Promise<void> | undefined
    const worker = async () => {
      while (next < DELIVERIES) {
        const version = `v1.0.${next++}`
        const response = await fetch(`${running.url}/webhooks/distribution`, delivery(version)).catch(() => undefined)
        if (response?.status === 202) acknowledged.push(version)
        await response?.arrayBuffer().catch(() => undefined)
        if (acknowledged.length >= KILL_AFTER) killed ??= running.kill('SIGKILL')
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    await killed
    server = undefined
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER)
    expect(acknowledged.length).toBeLessThan(DELIVERIES)

    const db = new DatabaseSync(join(dir, 'state.db'))
    expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
    db.close()
    const restarted = await start(port)
    const status: any = await (await fetch(`${restarted.url}/status?limit=10000`)).json()
    const recorded = new Set(status.images[0].versions.map((v: any) => v.version))
    expect(acknowledged.filter((version) => !recorded.has(version))).toEqual([])
  }, 60_000)
})
