/**
 * The docker CLI (client only, no daemon) as a second independent registry client:
 * `docker manifest inspect` against a plain-HTTP registry with a throw-away config dir.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTool } from './tools.ts'

const DOCKER_TIMEOUT_MS = 30_000

/** Runs `docker manifest inspect --insecure <ref>` with a fresh DOCKER_CONFIG; returns the parsed JSON. */
export async function dockerManifestInspect(ref: string): Promise<any> {
  // A fresh DOCKER_CONFIG keeps the machine user's credentials and manifest cache out of the test:
  // https://docs.docker.com/reference/cli/docker/#environment-variables
  const configDir = await mkdtemp(join(tmpdir(), 'mh-docker-'))
  try {
    const env = { ...process.env, DOCKER_CONFIG: configDir }
    const { stdout } = await runTool('docker', ['manifest', 'inspect', '--insecure', ref], { timeoutMs: DOCKER_TIMEOUT_MS, env })
    return JSON.parse(stdout.toString('utf8'))
  } finally {
    await rm(configDir, { recursive: true, force: true })
  }
}
