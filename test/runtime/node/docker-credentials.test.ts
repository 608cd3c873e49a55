// Registry logins from the files docker and podman write, with a fake `docker-credential-test`
// program on PATH (a shell script made here) standing in for a credential helper.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.ts'
import { writeCredentialHelper } from '../../support/credential-helper.ts'
import { applyAmbientCredentials, findRegistryCredentials, normalizeAuthKey } from '../../../src/runtime/node/docker-credentials.ts'

let dir: string
let env: Record<string, string>
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64')

function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, JSON.stringify(value))
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mh-creds-'))
  writeCredentialHelper(join(dir, 'bin'), 'test', {
    'ghcr.io': { Username: 'helper-user', Secret: 'helper-secret' },
    'https://index.docker.io/v1/': { Username: 'hub-user', Secret: 'hub-secret' },
    'token.example': { Username: '<token>', Secret: 'refresh' },
  })
  env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, HOME: join(dir, 'home') }
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('registry logins on Node', () => {
  it('names hosts as docker does', () => {
    expect(['https://index.docker.io/v1/', 'registry-1.docker.io', 'https://ghcr.io/v2/', 'quay.io', 'http://127.0.0.1:5000'].map(normalizeAuthKey)).toEqual(['docker.io', 'docker.io', 'ghcr.io', 'quay.io', '127.0.0.1:5000'])
  })

  it('reads auths from ~/.docker/config.json, or from $DOCKER_CONFIG/config.json', () => {
    writeJson(join(dir, 'home/.docker/config.json'), { auths: { 'quay.io': { auth: basic('robot+ci', 'p:w') } } })
    expect(findRegistryCredentials('quay.io', env)).toEqual({ username: 'robot+ci', password: 'p:w', from: join(dir, 'home/.docker/config.json') })
    expect(findRegistryCredentials('ghcr.io', env)).toBeUndefined()
    writeJson(join(dir, 'elsewhere/config.json'), { auths: { 'https://index.docker.io/v1/': { auth: basic('hub', 'x') } } })
    expect(findRegistryCredentials('docker.io', { ...env, DOCKER_CONFIG: join(dir, 'elsewhere') })).toMatchObject({ username: 'hub', password: 'x' })
    expect(findRegistryCredentials('quay.io', { ...env, DOCKER_CONFIG: join(dir, 'elsewhere') })).toBeUndefined()
  })

  it('asks credHelpers[host], else credsStore, through docker-credential-<name>; falls back to auths', () => {
    writeJson(join(dir, 'home/.docker/config.json'), { credHelpers: { 'ghcr.io': 'test' }, auths: { 'quay.io': { auth: basic('q', 'r') } } })
    expect(findRegistryCredentials('ghcr.io', env)).toEqual({ username: 'helper-user', password: 'helper-secret', from: `docker-credential-test (${join(dir, 'home/.docker/config.json')})` })
    writeJson(join(dir, 'home/.docker/config.json'), { credsStore: 'test', auths: { 'quay.io': { auth: basic('q', 'r') }, 'https://index.docker.io/v1/': {} } })
    expect(findRegistryCredentials('docker.io', env)).toMatchObject({ username: 'hub-user', password: 'hub-secret' })
    expect(findRegistryCredentials('quay.io', env)).toMatchObject({ username: 'q', password: 'r' })
    expect(findRegistryCredentials('token.example', env)).toBeUndefined()
    const asked = readFileSync(join(dir, 'bin', 'asked.log'), 'utf8')
    expect(asked).toBe('ghcr.io\nhttps://index.docker.io/v1/\nquay.io\ntoken.example\n')
  })

  it('survives a helper that is not installed', () => {
    writeJson(join(dir, 'home/.docker/config.json'), { credsStore: 'missing', auths: { 'quay.io': { auth: basic('q', 'r') } } })
    expect(findRegistryCredentials('quay.io', env)).toMatchObject({ username: 'q' })
    expect(findRegistryCredentials('ghcr.io', env)).toBeUndefined()
  })

  it('reads the containers auth file first: REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json', () => {
    writeJson(join(dir, 'home/.docker/config.json'), { auths: { 'quay.io': { auth: basic('docker', 'd') } } })
    writeJson(join(dir, 'run/containers/auth.json'), { auths: { 'quay.io': { auth: basic('podman', 'p') } } })
    writeJson(join(dir, 'auth.json'), { auths: { 'quay.io': { auth: basic('skopeo', 's') } } })
    expect(findRegistryCredentials('quay.io', env)?.username).toBe('docker')
    expect(findRegistryCredentials('quay.io', { ...env, XDG_RUNTIME_DIR: join(dir, 'run') })?.username).toBe('podman')
    expect(findRegistryCredentials('quay.io', { ...env, XDG_RUNTIME_DIR: join(dir, 'run'), REGISTRY_AUTH_FILE: join(dir, 'auth.json') })?.username).toBe('skopeo')
  })

  it('fills in registries the config leaves without credentials; config entries win', () => {
    writeJson(join(dir, 'home/.docker/config.json'), { credHelpers: { 'ghcr.io': 'test' }, auths: { 'quay.io': { auth: basic('q', 'r') } } })
    const config = parseConfig({
      registries: { 'quay.io': { username: 'from-config', password: 'cfg' } },
      images: [
        { target: 'ghcr.io/acme/app', from: 'ghcr.io/acme/app:{version}-{arch}', platforms: ['linux/amd64'] },
        { target: 'quay.io/acme/app', from: 'quay.io/acme/app-{arch}:{version}', platforms: ['linux/amd64'] },
        { target: 'registry.example/acme/app', from: 'registry.example/acme/app-{arch}:{version}', platforms: ['linux/amd64'] },
      ],
    })
    const { config: applied, found } = applyAmbientCredentials(config, env)
    expect(found).toEqual([{ host: 'ghcr.io', from: `docker-credential-test (${join(dir, 'home/.docker/config.json')})` }])
    expect(applied.registries['ghcr.io']?.username?.reveal()).toBe('helper-user')
    expect(applied.registries['ghcr.io']?.password?.reveal()).toBe('helper-secret')
    expect(applied.registries['quay.io']?.username?.reveal()).toBe('from-config')
    expect(applied.registries['registry.example']).toEqual({ insecure: false, tokenRealms: [] })
    expect(JSON.stringify(applied.registries)).not.toContain('helper-secret')
  })
})
