import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/config.ts'
import { ConfigError } from '../../../src/errors.ts'
import { findConfigPath, loadConfigFile, readConfigFile } from '../../../src/runtime/node/config-file.ts'
import { runCliCaptured } from './cli/run-cli.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mh-config-file-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const JSON_CONFIG = {
  registries: { '127.0.0.1:5000': { insecure: true } },
  sources: { distribution: { token: { env: 'HOOK_TOKEN' } } },
  images: [{ target: '127.0.0.1:5000/demo/app', from: '127.0.0.1:5000/demo/app-{arch}:{version}', platforms: ['linux/amd64', { platform: 'linux/arm/v7', arch: 'armhf' }], tags: { floating: ['{major}'] } }],
}
const YAML_CONFIG = `# the same config as JSON_CONFIG
registries:
  127.0.0.1:5000: { insecure: true }
sources:
  distribution:
    token: { env: HOOK_TOKEN }
images:
  - target: 127.0.0.1:5000/demo/app
    from: 127.0.0.1:5000/demo/app-{arch}:{version}
    platforms: [linux/amd64, { platform: linux/arm/v7, arch: armhf }]
    tags: { floating: ["{major}"] }
`

function issuesOf(run: () => unknown): string[] {
  try {
    run()
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  return []
}

describe('config files', () => {
  it('reads YAML (.yaml and .yml) into the same data as the JSON file', () => {
    writeFileSync(join(dir, 'a.yaml'), YAML_CONFIG)
    writeFileSync(join(dir, 'a.yml'), YAML_CONFIG)
    expect(readConfigFile(join(dir, 'a.yaml'))).toEqual(JSON_CONFIG)
    expect(readConfigFile(join(dir, 'a.yml'))).toEqual(JSON_CONFIG)
    const env = { HOOK_TOKEN: 't' }
    expect(loadConfigFile(join(dir, 'a.yaml'), true, env)?.images).toEqual(parseConfig(JSON_CONFIG, env).images)
  })

  it('keeps YAML 1.1 booleans as strings and refuses duplicate keys and several documents', () => {
    writeFileSync(join(dir, 'b.yaml'), 'sources:\n  distribution:\n    token: on\n')
    expect(readConfigFile(join(dir, 'b.yaml'))).toEqual({ sources: { distribution: { token: 'on' } } })
    writeFileSync(join(dir, 'dup.yaml'), 'images: []\nimages: []\n')
    expect(issuesOf(() => readConfigFile(join(dir, 'dup.yaml')))).toEqual([`${join(dir, 'dup.yaml')}: not valid YAML (Map keys must be unique at line 2, column 1)`])
    writeFileSync(join(dir, 'two.yaml'), 'images: []\n---\nimages: []\n')
    expect(issuesOf(() => readConfigFile(join(dir, 'two.yaml')))).toHaveLength(1)
  })

  it('reads an empty YAML file as an empty config', () => {
    writeFileSync(join(dir, 'empty.yaml'), '# nothing yet\n')
    expect(readConfigFile(join(dir, 'empty.yaml'))).toEqual({})
  })

  it('looks for manifest-hook.json, then .yaml, then .yml; --config and MANIFEST_HOOK_CONFIG win', () => {
    expect(findConfigPath(dir, undefined, {})).toEqual({ path: join(dir, 'manifest-hook.json'), explicit: false })
    writeFileSync(join(dir, 'manifest-hook.yml'), '{}')
    expect(findConfigPath(dir, undefined, {}).path).toBe(join(dir, 'manifest-hook.yml'))
    writeFileSync(join(dir, 'manifest-hook.yaml'), '{}')
    expect(findConfigPath(dir, undefined, {}).path).toBe(join(dir, 'manifest-hook.yaml'))
    expect(findConfigPath(dir, undefined, { MANIFEST_HOOK_CONFIG: 'x.json' })).toEqual({ path: join(dir, 'x.json'), explicit: true })
    expect(findConfigPath(dir, 'y.yaml', { MANIFEST_HOOK_CONFIG: 'x.json' })).toEqual({ path: join(dir, 'y.yaml'), explicit: true })
  })

  it('init --output FILE.yaml writes YAML with the schema modeline, and it validates', async () => {
    const result = await runCliCaptured(['init', '--output', 'hook.yaml', '--registry', 'quay.io'], { cwd: dir })
    expect(result.code).toBe(0)
    const text = readFileSync(join(dir, 'hook.yaml'), 'utf8')
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=(\.\.\/)+.*schema\/config\.schema\.json$/)
    expect(text).toContain('sources:\n  quay:\n    secret:\n      env: MANIFEST_HOOK_WEBHOOK_SECRET\n')
    expect(await runCliCaptured(['validate', 'hook.yaml'], { cwd: dir, env: { MANIFEST_HOOK_WEBHOOK_SECRET: 's' } })).toMatchObject({ code: 0 })
  })
})
