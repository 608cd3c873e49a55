// The hand-written merge job we replace: `docker manifest create / annotate / push --purge`, for
// the version and again for `latest`, timed and counted through the same proxy.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FaultProxy } from '../test/support/fault-proxy.ts'
import { copyImage } from '../test/support/skopeo.ts'
import { runTool } from '../test/support/tools.ts'

export interface DockerScenario {
  target: string
  source: (arch: string, version: string) => string
}

type Arch = { arch: string; platform: string }

/** Pushes the per-arch images (uncounted), then runs and measures docker's publish of version + latest. */
export async function runDockerPublish(registryHost: string, proxy: FaultProxy, scenario: DockerScenario, arches: readonly Arch[], version: string) {
  for (const { arch, platform } of arches) {
    await copyImage(`${registryHost}/${scenario.source(arch, version)}`, { platform, seed: `docker-${scenario.target}-${version}-${arch}` })
  }
  const config = mkdtempSync(join(tmpdir(), 'mh-docker-'))
  const docker = (args: string[]) => runTool('docker', args, { env: { ...process.env, DOCKER_CONFIG: config }, timeoutMs: 60_000 })
  const ref = (name: string) => `${proxy.host}/${name}`
  const before = proxy.log.length
  const started = performance.now()
  try {
    for (const tag of [version, 'latest']) {
      const list = ref(`${scenario.target}:${tag}`)
      await docker(['manifest', 'create', '--insecure', list, ...arches.map(({ arch }) => ref(scenario.source(arch, version)))])
      for (const { arch, platform } of arches) {
        const [os, architecture, variant] = platform.split('/') as [string, string, string | undefined]
        const flags = ['--os', os, '--arch', architecture, ...(variant ? ['--variant', variant] : [])]
        await docker(['manifest', 'annotate', list, ref(scenario.source(arch, version)), ...flags])
      }
      await docker(['manifest', 'push', '--insecure', '--purge', list])
    }
  } finally {
    rmSync(config, { recursive: true, force: true })
  }
  return { requests: proxy.log.length - before, latencyMs: performance.now() - started }
}
