// The publish section of `npm run bench`: publish latency and registry requests per publish for
// the separate-repository and same-repository scenarios (3 arches, version + latest), beside
// `docker manifest create/annotate/push --purge` in the same run when the docker CLI exists.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getFreePort } from '../test/support/free-port.ts'
import { startFaultProxy, type FaultProxy } from '../test/support/fault-proxy.ts'
import { startRegistry, type RegistryServer } from '../test/support/registry-server.ts'
import { hasTool } from '../test/support/tools.ts'
import { runDockerPublish, type DockerScenario } from './docker-manifest.ts'
import { stageImage } from './http-push.ts'
import { median, percentile, printTable } from './report.ts'
import { startServerProcess, type ServerProcess } from './server-process.ts'

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 10)
// A long-running server is measured warm: these first publishes of each scenario are not counted.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2)
const DOCKER_ITERATIONS = Number(process.env.BENCH_DOCKER_ITERATIONS ?? 3)
const ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64', platform: 'linux/arm64' },
  { arch: 'armv7', platform: 'linux/arm/v7' },
] as const
const TOKEN = 'bench-token'

export interface Stack {
  registry: RegistryServer
  proxy: FaultProxy
  server: ServerProcess
  dataDir: string
}

export interface Scenario {
  name: string
  target: string
  source: (arch: string, version: string) => string
  docker: DockerScenario
}

/** A registry behind a counting proxy, with a server (`bundle`: another build's, BENCH_BASELINE) receiving its notifications. */
export async function startStack(bundle?: string): Promise<Stack> {
  const port = await getFreePort()
  const proxy = await startFaultProxy({ target: `http://127.0.0.1:${port}` })
  const host = proxy.host
  const dataDir = mkdtempSync(join(tmpdir(), 'mh-bench-'))
  const config = {
    registries: { [host]: { insecure: true } },
    // skopeo pushes to the registry directly (uncounted); events are about the proxied host.
    sources: { distribution: { token: TOKEN, registry: host } },
    images: [
      { target: `${host}/bench/app`, from: `${host}/bench/app-{arch}:{version}`, platforms: ARCHES.map((a) => a.platform) },
      { target: `${host}/bench/same`, from: `${host}/bench/same:{version}-{arch}`, platforms: ARCHES.map((a) => a.platform) },
    ],
    server: { sweepIntervalSeconds: 0, publicStatus: true },
  }
  const server = await startServerProcess(config, dataDir, bundle).catch((error: unknown) => {
    // A baseline from before `publicStatus` refuses the key; its /status is public anyway.
    if (!bundle || !String(error).includes('"publicStatus"')) throw error
    return startServerProcess({ ...config, server: { sweepIntervalSeconds: 0 } }, dataDir, bundle)
  })
  // Registry storage on tmpfs where there is one, so that disk noise stays out of both pipelines.
  const registry = await startRegistry({
    port,
    ...(existsSync('/dev/shm') ? { parentDir: '/dev/shm' } : {}),
    notifications: [{ url: `${server.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${TOKEN}`] }, ignoreActions: ['pull', 'mount'], ignoreMediaTypes: ['application/octet-stream'] }],
  })
  return { registry, proxy, server, dataDir }
}

export const SCENARIOS: Scenario[] = [
  { name: 'separate-repos', target: 'bench/app', source: (arch, v) => `bench/app-${arch}:${v}`, docker: { target: 'bench/dk-app', source: (arch, v) => `bench/dk-app-${arch}:${v}` } },
  { name: 'same-repo', target: 'bench/same', source: (arch, v) => `bench/same:${v}-${arch}`, docker: { target: 'bench/dk-same', source: (arch, v) => `bench/dk-same:${v}-${arch}` } },
]

async function waitForLatest(stack: Stack, target: string, since: number): Promise<number> {
  const path = `/v2/${target}/manifests/latest`
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const put = stack.proxy.log.slice(since).find((r) => r.method === 'PUT' && r.path === path && r.status === 201)
    if (put) return put.finishedAt
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const status = await (await fetch(`${stack.server.url}/status`)).text()
  throw new Error(`latest of ${target} was not pushed within 30 s; status: ${status}`)
}

// Waits until our server has made no registry request for a while (its deferred work is done).
async function settle(stack: Stack, since: number): Promise<void> {
  let count = -1
  while (count !== stack.proxy.log.length - since) {
    count = stack.proxy.log.length - since
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
}

// When our server received the last arch's webhook: the newest `arrivedAt` of the version, in the
// same epoch-millisecond clock as the proxy's timestamps (performance.timeOrigin + now()).
async function lastWebhookAt(stack: Stack, target: string, version: string): Promise<number> {
  const status = await (await fetch(`${stack.server.url}/status`)).json()
  const entry = status.images.find((image: { image: string }) => image.image.endsWith(`/${target}`))
  const found = entry?.versions.find((v: { version: string }) => v.version === version)
  if (!found) throw new Error(`no status for ${target}:${version}`)
  return Math.max(...Object.values(found.arrivedAt as Record<string, string>).map((at) => Date.parse(at)))
}

/** Pushes the three arches of `version` and measures from the last webhook to the acknowledged `latest`. */
export async function runPublish(stack: Stack, scenario: Scenario, version: string): Promise<{ requests: number; latencyMs: number }> {
  const proxyStart = stack.proxy.log.length
  for (const { arch, platform } of ARCHES) {
    const [repository, tag] = scenario.source(arch, version).split(':') as [string, string]
    const tagIt = await stageImage(stack.registry.url, repository, tag, { platform, seed: `${scenario.name}-${version}-${arch}` })
    await tagIt()
  }
  const ackAt = performance.timeOrigin + (await waitForLatest(stack, scenario.target, proxyStart))
  await settle(stack, proxyStart)
  const webhookAt = await lastWebhookAt(stack, scenario.target, version)
  if (process.env.BENCH_TRACE) console.log('webhook at', webhookAt.toFixed(1), stack.server.url)
  const latencyMs = ackAt - webhookAt
  if (process.env.BENCH_TRACE) {
    for (const r of stack.proxy.log.slice(proxyStart).filter((r) => performance.timeOrigin + r.finishedAt >= webhookAt - 1)) {
      console.log(`  ${(performance.timeOrigin + r.startedAt - webhookAt).toFixed(1).padStart(6)} .. ${(performance.timeOrigin + r.finishedAt - webhookAt).toFixed(1).padStart(6)}  ${r.method} ${r.path.slice(0, 70)} ${r.status}`)
    }
  }
  return { requests: stack.proxy.log.length - proxyStart, latencyMs }
}

/** Runs both publish scenarios (ours and docker's) and prints their table. */
export async function runPublishSection(): Promise<{ results: unknown[]; withDocker: boolean }> {
  for (const tool of ['docker-registry', 'skopeo'] as const) {
    if (!hasTool(tool)) throw new Error(`npm run bench needs ${tool} (apt-get install docker-registry skopeo)`)
  }
  const withDocker = hasTool('docker')
  const stack = await startStack()
  const results = []
  try {
    for (const scenario of SCENARIOS) {
      const ours = []
      for (let i = 0; i < WARMUP; i++) await runPublish(stack, scenario, `v0.${i}.0`)
      for (let i = 0; i < ITERATIONS; i++) ours.push(await runPublish(stack, scenario, `v1.${i}.0`))
      const docker = []
      for (let i = 0; withDocker && i < DOCKER_ITERATIONS; i++) {
        docker.push(await runDockerPublish(stack.registry.host, stack.proxy, scenario.docker, ARCHES, `v1.${i}.0`))
      }
      results.push(summarize(scenario.name, ours, docker))
    }
  } finally {
    await stopStack(stack)
  }
  printTable(results, withDocker)
  return { results, withDocker }
}

/** Stops the registry, the server and the proxy, and removes the server's data. */
export async function stopStack(stack: Stack): Promise<void> {
  await stack.registry.stop()
  await stack.server.stop()
  await stack.proxy.close()
  rmSync(stack.dataDir, { recursive: true, force: true })
}

function summarize(name: string, ours: { requests: number; latencyMs: number }[], docker: { requests: number; latencyMs: number }[]) {
  const side = (runs: { requests: number; latencyMs: number }[]) =>
    runs.length === 0
      ? undefined
      : { runs: runs.length, requests: median(runs.map((r) => r.requests)), latencyP50Ms: median(runs.map((r) => r.latencyMs)), latencyP99Ms: percentile(runs.map((r) => r.latencyMs), 99) }
  return { scenario: name, ours: side(ours)!, docker: side(docker) }
}
