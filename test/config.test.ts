import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.ts'
import { ConfigError } from '../src/errors.ts'

// The configuration from the issue, verbatim: it must work as written.
const ISSUE_CONFIG = {
  registries: { '127.0.0.1:5150': { insecure: true } },
  sources: { distribution: { token: 's3cret' } },
  images: [
    { target: '127.0.0.1:5150/demo/app', from: '127.0.0.1:5150/demo/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
    { target: '127.0.0.1:5150/demo/suffix', from: '127.0.0.1:5150/demo/suffix:{version}-{arch}', platforms: ['linux/amd64', 'linux/arm64'] },
  ],
}

function issuesOf(input: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(input, env)
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig', () => {
  it('accepts the documented example and fills in defaults', () => {
    const config = parseConfig(ISSUE_CONFIG)
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, maxBodyBytes: 1048576 })
    expect(config.registries['127.0.0.1:5150']).toMatchObject({ insecure: true })
    expect(config.sources.distribution?.tokens.map((t) => t.reveal())).toEqual(['s3cret'])
    const [app, suffix] = config.images
    expect(app?.name).toBe('127.0.0.1:5150/demo/app')
    expect(app?.platforms.map((p) => [p.key, p.arch])).toEqual([['linux/amd64', 'amd64'], ['linux/arm64', 'arm64'], ['linux/arm/v7', 'armv7']])
    expect(suffix?.from).toEqual({ registry: '127.0.0.1:5150', repository: 'demo/suffix', tag: '{version}-{arch}' })
    expect(app?.indexMediaType).toBe('auto')
    expect(app?.tags).toEqual({ latest: true, floating: [], nonSemver: 'never', extra: [] })
    expect(app?.targets).toEqual([{ registry: '127.0.0.1:5150', repository: 'demo/app' }])
  })

  it('takes per-platform {arch} overrides and registry credentials from the environment', () => {
    const config = parseConfig(
      {
        registries: { 'ghcr.io': { username: 'bot', password: { env: 'GHCR_TOKEN' } } },
        sources: { dockerhub: { secret: [{ env: 'HUB_SECRET' }, 'older-secret'] } },
        images: [{ target: 'ghcr.io/org/app', from: 'ghcr.io/org/app:{version}-{arch}', platforms: [{ platform: 'linux/arm/v7', arch: 'armhf' }, 'linux/amd64'] }],
      },
      { GHCR_TOKEN: 'ghp_secret', HUB_SECRET: 'hub' },
    )
    expect(config.registries['ghcr.io']?.password?.reveal()).toBe('ghp_secret')
    expect(config.sources.dockerhub?.secrets.map((s) => s.reveal())).toEqual(['hub', 'older-secret'])
    expect(config.images[0]?.platforms.map((p) => p.arch)).toEqual(['armhf', 'amd64'])
  })

  it('never prints secrets', () => {
    const config = parseConfig({ registries: { 'ghcr.io': { password: 'hunter2' } }, sources: { distribution: { token: 'tok3n' } } })
    const printed = JSON.stringify(config) + String(config.registries['ghcr.io']?.password)
    expect(printed).not.toContain('hunter2')
    expect(printed).not.toContain('tok3n')
  })

  it('reports every bad key with its path', () => {
    const issues = issuesOf({
      registries: { 'not a host': {} },
      sources: { distribution: { token: { env: 'MISSING' } } },
      images: [
        { target: 'Bad Target', from: 'demo/app:{version}', platforms: ['linux/amd64', 'amd64', 'linux/x86_64'] },
        { target: 'r.example/app', from: 'r.example/app:{version}-{arch}', platforms: [{ platform: 'linux/amd64', arch: 'x' }, { platform: 'linux/arm64', arch: 'x' }] },
      ],
    })
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringContaining('images.0.target'),
        expect.stringContaining('images.0.from: needs exactly one {arch}'),
        expect.stringContaining('images.0.platforms.1: "amd64" is not os/arch'),
        expect.stringContaining('images.0.platforms: platform "linux/amd64" appears twice'),
        expect.stringContaining('images.1.platforms: {arch} name "x" appears twice'),
        expect.stringContaining('registries.not a host'),
        expect.stringContaining('sources.distribution.token: environment variable MISSING is not set'),
      ]),
    )
  })

  it('reports schema errors (unknown keys, wrong types) all at once', () => {
    const issues = issuesOf({ servr: {}, images: [{ target: 1, from: 'x', platforms: [] }] })
    expect(issues.some((i) => i.includes('servr'))).toBe(true)
    expect(issues.some((i) => i.startsWith('images.0.target'))).toBe(true)
    expect(issues.some((i) => i.startsWith('images.0.platforms'))).toBe(true)
  })

  it('accepts an empty configuration (the server starts with no images)', () => {
    expect(parseConfig({}).images).toEqual([])
  })
})

describe('parseConfig: publishing policy', () => {
  const image = (extra: Record<string, unknown>) => ({ images: [{ target: 'ghcr.io/org/app', from: 'ghcr.io/org/app:{version}-{arch}', platforms: ['linux/amd64'], ...extra }] })

  it('takes several targets, a tag policy, a deadline, annotations and child tags', () => {
    const config = parseConfig(image({
      target: ['ghcr.io/org/app', 'docker.io/org/app'],
      tags: { floating: ['{major}', 'v{major}.{minor}'], nonSemver: 'last-published', extra: ['edge', '{version}-multiarch'] },
      deadline: { seconds: 3600, action: 'publish-partial' },
      annotations: { 'org.opencontainers.image.vendor': 'Example' },
      childTags: '{version}-{arch}',
      referrers: false,
    }))
    const [resolved] = config.images
    expect(resolved?.targets.map((t) => `${t.registry}/${t.repository}`)).toEqual(['ghcr.io/org/app', 'docker.io/org/app'])
    expect(resolved?.tags).toEqual({ latest: true, floating: ['{major}', 'v{major}.{minor}'], nonSemver: 'last-published', extra: ['edge', '{version}-multiarch'] })
    expect(resolved?.deadline).toEqual({ ms: 3_600_000, action: 'publish-partial' })
    expect(resolved?.referrers).toBe(false)
    expect(config.registries['docker.io']).toBeDefined()
    expect(config.warnings).toEqual([])
  })

  it('warns when children stay untagged on registries known to clean those up', () => {
    expect(parseConfig(image({})).warnings).toEqual([expect.stringContaining('ghcr.io/org/app stay untagged')])
  })

  it('compiles a version filter and reports one that is not a regular expression', () => {
    const image = { ...ISSUE_CONFIG.images[1], versionPattern: '^v[0-9]+$' }
    expect(parseConfig({ ...ISSUE_CONFIG, images: [image] }).images[0]?.versionPattern?.test('v12')).toBe(true)
    expect(parseConfig(ISSUE_CONFIG).images[0]?.versionPattern).toBeUndefined()
    expect(issuesOf({ ...ISSUE_CONFIG, images: [{ ...image, versionPattern: '(' }] })).toEqual([expect.stringMatching(/^images\.0\.versionPattern: not a regular expression/)])
  })

  it('refuses two images sharing a target, mirrors included', () => {
    const [first, second] = ISSUE_CONFIG.images as unknown as [Record<string, unknown>, Record<string, unknown>]
    const shared = { ...ISSUE_CONFIG, images: [{ ...first, target: ['127.0.0.1:5150/demo/app', 'ghcr.io/org/app'] }, { ...second, target: ['127.0.0.1:5150/demo/suffix', 'ghcr.io/org/app'] }] }
    expect(issuesOf(shared)).toEqual(['images.1.target: "ghcr.io/org/app" is also a target of images.0'])
    expect(issuesOf({ ...ISSUE_CONFIG, images: [first, { ...second, target: '127.0.0.1:5150/demo/app' }] })).toEqual(['images.1.target: "127.0.0.1:5150/demo/app" is also a target of images.0'])
  })

  it('rejects templates that cannot make a tag', () => {
    expect(issuesOf(image({ tags: { floating: ['{version}'], extra: ['bad tag!'] }, childTags: '{arch}', deadline: { seconds: 0, action: 'later' } }))).toEqual(
      expect.arrayContaining([
        expect.stringContaining('images.0.deadline.seconds'),
        expect.stringContaining('images.0.deadline.action'),
      ]),
    )
    expect(issuesOf(image({ tags: { floating: ['{version}'], extra: ['bad tag!'] }, childTags: '{arch}' }))).toEqual([
      expect.stringContaining('images.0.tags.floating.0: a floating tag needs {major}'),
      expect.stringContaining('images.0.tags.extra.0: does not render to a valid tag'),
      expect.stringContaining('images.0.childTags: needs {version} and {arch}'),
    ])
  })

  it('shares equal platform lists, tag policies and annotations between images, and reports the problems of each image', () => {
    const image = (name: string, platforms: string[], extra: Record<string, unknown> = {}) => ({ target: `127.0.0.1:5150/${name}`, from: `127.0.0.1:5150/${name}:{version}-{arch}`, platforms, ...extra })
    const config = parseConfig({
      ...ISSUE_CONFIG,
      images: [image('a', ['linux/amd64', 'linux/arm64']), image('b', ['linux/amd64', 'linux/arm64']), image('c', ['linux/amd64'], { tags: { latest: false }, annotations: { team: 'x' } })],
    })
    const [a, b, c] = config.images
    expect(b!.platforms).toBe(a!.platforms)
    expect(b!.tags).toBe(a!.tags)
    expect(b!.annotations).toBe(a!.annotations)
    expect(c!.platforms).not.toBe(a!.platforms)
    expect(c!.tags).toMatchObject({ latest: false })
    expect(c!.annotations).toEqual({ team: 'x' })
    expect(a!.name).toBe('127.0.0.1:5150/a')
    expect(issuesOf({ ...ISSUE_CONFIG, images: [image('a', ['linux/amd64', 'nope']), image('b', ['linux/amd64', 'nope'])] })).toEqual([
      expect.stringContaining('images.0.platforms.1:'),
      expect.stringContaining('images.1.platforms.1:'),
    ])
  })
})

describe('parseConfig: hostile or careless values', () => {
  it('refuses blank secrets, inline and from the environment', () => {
    let error: ConfigError | undefined
    try {
      parseConfig({ server: { adminToken: '   ' }, sources: { distribution: { token: '\t' } } })
    } catch (caught) {
      error = caught as ConfigError
    }
    expect(error?.issues).toHaveLength(2)
    expect(error?.issues.join('\n')).toMatch(/^server\.adminToken: [^\n]*blank/m)
    expect(error?.issues.join('\n')).toMatch(/^sources\.distribution\.token: /m)
    expect(() => parseConfig({ sources: { distribution: { token: { env: 'BLANK' } } } }, { BLANK: ' ' })).toThrow('sources.distribution.token: environment variable BLANK is blank')
  })

  it('finds only configured registries and environment variables, never prototype properties', () => {
    expect(() => parseConfig({ sources: { distribution: { token: 't', registry: 'constructor' } } })).toThrow('sources.distribution.registry: "constructor" is not a configured registry')
    expect(() => parseConfig({ sources: { distribution: { token: { env: 'toString' } } } }, {})).toThrow('sources.distribution.token: environment variable toString is not set')
  })
})
