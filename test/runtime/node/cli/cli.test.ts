import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import packageJson from '../../../../package.json' with { type: 'json' }
import { VERBS } from '../../../../src/runtime/node/cli/cli-help.ts'
import { runCliCaptured } from './run-cli.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mh-cli-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))
const run = (argv: string[], env: Record<string, string> = {}, isTty = false) => runCliCaptured(argv, { cwd: dir, env, isTty })

describe('manifest-hook', () => {
  it('prints the package version with --version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' })
  })

  it('lists every verb in --help, and with no arguments', async () => {
    for (const argv of [['--help'], []]) {
      const result = await run(argv)
      expect(result.code).toBe(0)
      for (const verb of VERBS) expect(result.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'))
      expect(result.stdout).toContain('Exit codes: 0 success, 1 failure')
    }
  })

  it.each(VERBS)('prints usage for %s --help and exits 0 without running it', async (verb) => {
    const result = await run([verb, '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout.startsWith(`Usage: manifest-hook ${verb}`)).toBe(true)
    expect(result.stderr).toBe('')
  })

  it('exits 2 for an unknown verb, an unknown option and missing arguments', async () => {
    expect(await run(['frob'])).toEqual({ code: 2, stdout: '', stderr: 'error: unknown verb "frob" (one of serve, publish, status, validate, init; see --help)\nsee: manifest-hook --help\n' })
    const option = await run(['validate', '--frob'])
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("Unknown option '--frob'")
    expect(option.stderr).toContain('see: manifest-hook validate --help')
    expect(await run(['publish', 'example.com/app'])).toEqual({ code: 2, stdout: '', stderr: 'error: publish takes <image> <version>\nsee: manifest-hook publish --help\n' })
  })

  it('colours output on a terminal or with FORCE_COLOR, never with NO_COLOR', async () => {
    const esc = '\u001b['
    expect((await run(['frob'], {}, true)).stderr).toContain(`${esc}31merror${esc}39m`)
    expect((await run(['frob'], { FORCE_COLOR: '1' })).stderr).toContain(esc)
    expect((await run(['frob'])).stderr).not.toContain(esc)
    expect((await run(['frob'], { NO_COLOR: '1' }, true)).stderr).not.toContain(esc)
    expect((await run(['frob'], { NO_COLOR: '1', FORCE_COLOR: '1' })).stderr).not.toContain(esc)
  })
})

describe('manifest-hook validate', () => {
  const valid = {
    registries: { '127.0.0.1:5000': { insecure: true } },
    sources: { distribution: { token: { env: 'HOOK_TOKEN' } } },
    images: [{ target: '127.0.0.1:5000/demo/app', from: '127.0.0.1:5000/demo/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64'] }],
  }

  it('accepts a valid file and summarises it', async () => {
    writeFileSync(join(dir, 'hook.json'), JSON.stringify(valid))
    const result = await run(['validate', 'hook.json'], { HOOK_TOKEN: 't' })
    expect(result).toEqual({ code: 0, stdout: `valid: ${join(dir, 'hook.json')}: 1 image(s), 1 registry, sources: distribution\n`, stderr: '' })
  })

  it('finds ./manifest-hook.json, or MANIFEST_HOOK_CONFIG, without an argument', async () => {
    writeFileSync(join(dir, 'manifest-hook.json'), JSON.stringify(valid))
    writeFileSync(join(dir, 'other.json'), '{"images": 3}')
    expect((await run(['validate'], { HOOK_TOKEN: 't' })).code).toBe(0)
    expect((await run(['validate'], { HOOK_TOKEN: 't', MANIFEST_HOOK_CONFIG: 'other.json' })).code).toBe(1)
  })

  it('lists every problem with its path and exits 1', async () => {
    const broken = { ...valid, images: [{ ...valid.images[0], platforms: ['linux/amd64', 'amd64'] }] }
    writeFileSync(join(dir, 'hook.json'), JSON.stringify(broken))
    const result = await run(['validate', 'hook.json'])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe([
      `invalid: ${join(dir, 'hook.json')} (2 problems)`,
      '  images.0.platforms.1: "amd64" is not os/arch[/variant] (e.g. "linux/arm/v7")',
      '  sources.distribution.token: environment variable HOOK_TOKEN is not set',
      '',
    ].join('\n'))
  })

  it('reports a missing file and a file that is not JSON, exit 1', async () => {
    expect(await run(['validate', 'nope.json'])).toEqual({ code: 1, stdout: '', stderr: `invalid: ${join(dir, 'nope.json')} (1 problem)\n  config file ${join(dir, 'nope.json')} does not exist\n` })
    writeFileSync(join(dir, 'bad.json'), '{')
    const bad = await run(['validate', 'bad.json'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(`${join(dir, 'bad.json')}: not valid JSON`)
  })
})

describe('manifest-hook init', () => {
  it('writes a starter config that validates, for a local registry with separate repositories', async () => {
    const result = await run(['init'])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe(`wrote ${join(dir, 'manifest-hook.json')}`)
    const written = JSON.parse(readFileSync(join(dir, 'manifest-hook.json'), 'utf8'))
    expect(written).toMatchObject({
      registries: { '127.0.0.1:5000': { insecure: true } },
      sources: { distribution: { token: { env: 'MANIFEST_HOOK_WEBHOOK_SECRET' } } },
      images: [{ target: '127.0.0.1:5000/org/app', from: '127.0.0.1:5000/org/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64'] }],
    })
    expect(written.$schema).toMatch(/^\.\.\/.*schema\/config\.schema\.json$/)
    expect(existsSync(resolve(dir, written.$schema))).toBe(true)
    expect((await run(['validate'], { MANIFEST_HOOK_WEBHOOK_SECRET: 's' })).code).toBe(0)
  })

  it('picks the source of the named registry and the suffix naming style', async () => {
    const result = await run(['init', '--registry', 'ghcr.io', '--image', 'acme/tool', '--naming', 'suffix', '--output', 'gh.json'])
    expect(result.code).toBe(0)
    const written = JSON.parse(readFileSync(join(dir, 'gh.json'), 'utf8'))
    expect(written.sources).toEqual({ github: { secret: { env: 'MANIFEST_HOOK_WEBHOOK_SECRET' } } })
    expect(written.registries).toBeUndefined()
    expect(written.images[0].from).toBe('ghcr.io/acme/tool:{version}-{arch}')
    expect((await run(['validate', 'gh.json'], { MANIFEST_HOOK_WEBHOOK_SECRET: 's' })).code).toBe(0)
  })

  it('refuses to overwrite without --force (exit 1) and rejects a bad naming style (exit 2)', async () => {
    writeFileSync(join(dir, 'manifest-hook.json'), 'keep')
    expect((await run(['init'])).code).toBe(1)
    expect(readFileSync(join(dir, 'manifest-hook.json'), 'utf8')).toBe('keep')
    expect((await run(['init', '--force'])).code).toBe(0)
    expect((await run(['init', '--naming', 'dots', '--output', 'x.json'])).code).toBe(2)
  })
})
