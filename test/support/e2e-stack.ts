// The end-to-end stack: a real distribution registry on a random loopback port whose
// notifications point at our Node server (SQLite state in a temp dir), started in that order.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../src/config.ts'
import { silentLogger, type Logger } from '../../src/log.ts'
import { startNodeServer, type NodeServer } from '../../src/runtime/node/node-server.ts'
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts'
import { getFreePort } from './free-port.ts'
import { startRegistry, type NotificationEndpoint, type RegistryServer } from './registry-server.ts'

export const WEBHOOK_TOKEN = 's3cret'

export interface E2EStack {
  registry: RegistryServer
  server: NodeServer
  host: string
  dataDir: string
  /** The proxy in front of the registry, with `proxy: true`. */
  proxy?: FaultProxy
  /** Polls /status until `predicate` holds for image:version (or throws after `timeoutMs`). */
  waitForVersion(image: string, version: string, predicate: (status: any) => boolean, timeoutMs?: number): Promise<any>
  status(): Promise<any>
  stop(): Promise<void>
}

/** The example configuration, on `host`. */
export function exampleConfig(host: string, extra: Record<string, unknown> = {}) {
  return {
    registries: { [host]: { insecure: true } },
    sources: { distribution: { token: WEBHOOK_TOKEN } },
    images: [
      { target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
      { target: `${host}/demo/suffix`, from: `${host}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'] },
    ],
    // /status is closed by default; these stacks read it over 127.0.0.1.
    server: { sweepIntervalSeconds: 0, publicStatus: true },
    ...extra,
  }
}

export interface E2EStackOptions {
  log?: Logger
  config?: (host: string) => unknown
  notification?: Partial<NotificationEndpoint>
  /** Puts a fault proxy (no faults unless asked) between our server and the registry, to count our requests. */
  proxy?: boolean
}

/** Starts our server and a registry that notifies it. */
export async function startE2EStack(options: E2EStackOptions = {}): Promise<E2EStack> {
  const port = await getFreePort()
  const host = `127.0.0.1:${port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'mh-e2e-'))
  const proxy = options.proxy ? await startFaultProxy({ target: `http://${host}` }) : undefined
  const raw = (options.config ? options.config(host) : exampleConfig(host)) as { registries?: Record<string, object> }
  // With a proxy, our server reaches the registry through it (the registry's clients do not).
  const config = parseConfig(proxy ? { ...raw, registries: { ...raw.registries, [host]: { ...raw.registries?.[host], endpoint: proxy.url } } } : raw)
  const server = await startNodeServer({ config, dataPath: join(dataDir, 'state.db'), port: 0, log: options.log ?? silentLogger })
  const registry = await startRegistry({
    port,
    notifications: [{ url: `${server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK_TOKEN}`] }, ...options.notification }],
  }).catch(async (error) => {
    await server.close()
    await proxy?.close()
    throw error
  })
  // Configurations that set server.adminToken use the webhook token for it.
  const status = async () => (await fetch(`${server.url}/status`, { headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` } })).json()
  return {
    registry,
    server,
    host,
    dataDir,
    ...(proxy ? { proxy } : {}),
    status,
    async waitForVersion(image, version, predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      let last: any
      while (Date.now() < deadline) {
        const found = (await status()).images.find((i: any) => i.image === image)?.versions.find((v: any) => v.version === version)
        last = found
        if (found && predicate(found)) return found
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error(`timed out waiting for ${image}:${version}; last status: ${JSON.stringify(last)}`)
    },
    async stop() {
      await registry.stop()
      await server.close()
      await proxy?.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
