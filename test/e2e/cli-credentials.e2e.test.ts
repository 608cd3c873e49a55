// `manifest-hook publish` against a registry with htpasswd auth and no credentials in the config:
// the login comes from $DOCKER_CONFIG/config.json's credHelpers, through a fake
// docker-credential-test program made here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { writeCredentialHelper } from '../support/credential-helper.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage, skopeoInspectRaw } from '../support/skopeo.ts'
import { describeWithTools } from '../support/tools.ts'
import { runCliCaptured } from '../runtime/node/cli/run-cli.ts'

const USER = { username: 'ci', password: 'pa55-word' }

describeWithTools(['docker-registry', 'skopeo'], 'e2e: publish with a docker credential helper', () => {
  let registry: RegistryServer
  let dir: string
  const app = () => `${registry.host}/demo/app`

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mh-cli-creds-'))
    registry = await startRegistry({ htpasswd: [USER] })
    writeFileSync(join(dir, 'manifest-hook.json'), JSON.stringify({
      registries: { [registry.host]: { insecure: true } },
      images: [{ target: app(), from: `${app()}:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'] }],
    }))
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'test' } }))
    writeCredentialHelper(join(dir, 'bin'), 'test', { [registry.host]: { Username: USER.username, Secret: USER.password } })
    for (const arch of ['amd64', 'arm64']) await pushImage(`${app()}:v1.0.0-${arch}`, { platform: `linux/${arch}`, seed: `creds-${arch}`, creds: USER })
  }, 60_000)
  afterAll(async () => {
    await registry?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('fails without a login, and publishes with the one the helper gives', async () => {
    const anonymous = await runCliCaptured(['publish', app(), 'v1.0.0'], { cwd: dir, env: { PATH: '/usr/bin:/bin' } })
    expect(anonymous.code).toBe(1)
    expect(anonymous.stderr).toMatch(new RegExp(`^error: HEAD http://${registry.host}/v2/demo/app/manifests/v1\\.0\\.0-(amd|arm)64: registry "${registry.host}" asks for Basic credentials and none are configured\n$`))
    const env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, DOCKER_CONFIG: dir }
    const result = await runCliCaptured(['publish', app(), 'v1.0.0'], { cwd: dir, env })
    expect(result.stderr).toBe(`login for ${registry.host}: docker-credential-test (${join(dir, 'config.json')})\n`)
    expect(result.code).toBe(0)
    const digest = /^index (sha256:[0-9a-f]{64})/m.exec(result.stdout)?.[1]
    expect((await skopeoInspectRaw(`${app()}:latest`, USER)).digest).toBe(digest)
    expect(readFileSync(join(dir, 'bin', 'asked.log'), 'utf8')).toBe(`${registry.host}\n`)
  }, 60_000)
})
