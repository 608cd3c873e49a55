// `npm run demo`: the whole idea in one run, on loopback only. Starts a distribution registry
// (docker-registry) whose webhooks go to manifest-hook, pushes three small per-arch images with
// skopeo, shows the multi-arch index appear with its platforms and `latest`, then cleans up.
// Where docker-registry or skopeo is missing it says what to install and exits 1.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../src/config.ts'
import type { LogFields, Logger } from '../src/log.ts'
import { createStyle, isColorEnabled } from '../src/runtime/node/cli/cli-io.ts'
import { formatStatusTable } from '../src/runtime/node/cli/status-table.ts'
import { startNodeServer } from '../src/runtime/node/node-server.ts'
import { getFreePort } from '../test/support/free-port.ts'
import { startRegistry } from '../test/support/registry-server.ts'
import { pushImage } from '../test/support/skopeo.ts'
import { hasTool } from '../test/support/tools.ts'

const style = createStyle(isColorEnabled({ env: process.env, isTty: process.stdout.isTTY === true }))
const say = (text: string) => process.stdout.write(`${text}\n`)
const INSTALL = { 'docker-registry': 'docker-registry (CNCF distribution)', skopeo: 'skopeo' } as const
const ARCHES = [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const
const TOKEN = 'demo-webhook-token'

const missing = (Object.keys(INSTALL) as (keyof typeof INSTALL)[]).filter((tool) => !hasTool(tool))
if (missing.length > 0) {
  say(`${style.red('missing')}: ${missing.map((tool) => INSTALL[tool]).join(' and ')}.`)
  say(`install with: sudo apt-get install ${missing.join(' ')}   (Debian/Ubuntu; the packaged registry service need not run)`)
  process.exit(1)
}

// The server's log, as the few lines a person wants to see.
const log: Logger = {
  debug() {},
  info: (message: string, fields: LogFields = {}) => {
    if (message === 'published version') say(`  ${style.green('manifest-hook')}: published ${fields.target}:${fields.version} ${style.dim(String(fields.digest))}`)
    if (message === 'moved tag') say(`  ${style.green('manifest-hook')}: moved ${fields.tag} -> ${fields.version}`)
  },
  warn: (message: string) => say(`  ${style.yellow('manifest-hook')}: ${message}`),
  error: (message: string) => say(`  ${style.red('manifest-hook')}: ${message}`),
}

const dir = mkdtempSync(join(tmpdir(), 'mh-demo-'))
const port = await getFreePort()
const host = `127.0.0.1:${port}`
const image = `${host}/demo/app`
const config = parseConfig({
  registries: { [host]: { insecure: true } },
  sources: { distribution: { token: TOKEN } },
  images: [{ target: image, from: `${image}-{arch}:{version}`, platforms: ARCHES.map(([, platform]) => platform) }],
  server: { sweepIntervalSeconds: 0, adminToken: TOKEN },
})
// The registry first (the server's start-up sweep would find none), told where the server will listen.
const serverPort = await getFreePort()
const registry = await startRegistry({ port, notifications: [{ url: `http://127.0.0.1:${serverPort}/webhooks/distribution`, headers: { Authorization: [`Bearer ${TOKEN}`] } }] })
const server = await startNodeServer({ config, dataPath: join(dir, 'state.db'), port: serverPort, log })
const cleanUp = async () => {
  await registry.stop()
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)))

try {
  say(`${style.bold('registry')}      ${registry.url} (docker-registry, notifications -> manifest-hook)`)
  say(`${style.bold('manifest-hook')} ${server.url}, publishing ${image} for ${ARCHES.map(([, p]) => p).join(', ')}`)
  say('')
  for (const [arch, platform] of ARCHES) {
    const pushed = await pushImage(`${image}-${arch}:v1.0.0`, { platform, seed: `demo-${arch}` })
    say(`${style.bold('skopeo')} pushed ${image}-${arch}:v1.0.0 ${style.dim(pushed.manifestDigest)}`)
  }
  const status = await waitForPublished(server.url, 20_000)
  say('')
  say(formatStatusTable(status, style).trimEnd())
  say('')
  for (const tag of ['v1.0.0', 'latest']) {
    const response = await fetch(`${registry.url}/v2/demo/app/manifests/${tag}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json' } })
    const index = (await response.json()) as { manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[] }
    const platforms = index.manifests.map((m) => [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/'))
    say(`${style.bold(`${image}:${tag}`)} ${style.dim(response.headers.get('docker-content-digest') ?? '')}\n  ${platforms.join(', ')}`)
  }
  say('')
  say(`${style.green('done')}: one index, three platforms, latest moved; stopping and removing everything.`)
} finally {
  await cleanUp()
}

async function waitForPublished(url: string, timeoutMs: number): Promise<{ images: unknown[] }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = (await (await fetch(`${url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { images: { versions: { state: string }[] }[] }
    if (status.images[0]?.versions[0]?.state === 'published') return status
    if (Date.now() > deadline) throw new Error(`not published within ${timeoutMs} ms: ${JSON.stringify(status)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
