import { describe, expect, it } from 'vitest'
import { buildCatalog, type CatalogImage } from '../../src/core/catalog.ts'
import { parseSourceTemplate } from '../../src/core/naming.ts'

function image(target: string, from: string, arches: [string, string][]): CatalogImage {
  const parsed = parseSourceTemplate(from)
  if (!parsed.ok) throw new Error(parsed.reason)
  const [registry, ...rest] = target.split('/')
  return { name: target, target: { registry: registry!, repository: rest.join('/') }, from: parsed.value, platforms: arches.map(([key, arch]) => ({ key, arch })) }
}

const R = '127.0.0.1:5150'
const catalog = buildCatalog([
  image(`${R}/demo/app`, `${R}/demo/app-{arch}:{version}`, [['linux/amd64', 'amd64'], ['linux/arm64', 'arm64'], ['linux/arm/v7', 'armv7']]),
  image(`${R}/demo/suffix`, `${R}/demo/suffix:{version}-{arch}`, [['linux/amd64', 'amd64'], ['linux/arm64', 'arm64']]),
])

describe('catalog', () => {
  it('matches separate repositories', () => {
    const [match] = catalog.match({ registry: R, repository: 'demo/app-armv7' }, 'v1.0.2')
    expect(match).toMatchObject({ platform: 'linux/arm/v7', version: 'v1.0.2', source: `${R}/demo/app-armv7:v1.0.2` })
    expect(match?.image.name).toBe(`${R}/demo/app`)
  })

  it('matches suffix tags in the target repository', () => {
    const matches = catalog.match({ registry: R, repository: 'demo/suffix' }, 'v1.0.2-arm64')
    expect(matches.map((m) => [m.platform, m.version])).toEqual([['linux/arm64', 'v1.0.2']])
  })

  it('does not match our own pushes, other registries or other repositories', () => {
    expect(catalog.match({ registry: R, repository: 'demo/suffix' }, 'v1.0.2')).toEqual([])
    expect(catalog.match({ registry: R, repository: 'demo/suffix' }, 'latest')).toEqual([])
    expect(catalog.match({ registry: R, repository: 'demo/app' }, 'v1.0.2')).toEqual([])
    expect(catalog.match({ registry: 'evil.example', repository: 'demo/app-amd64' }, 'v1.0.2')).toEqual([])
    expect(catalog.isTarget({ registry: R, repository: 'demo/app' })).toBe(true)
    expect(catalog.isKnown({ registry: R, repository: 'demo/app-amd64' })).toBe(true)
    expect(catalog.isKnown({ registry: R, repository: 'other/repo' })).toBe(false)
  })

  it('matches no moving, referrers or filtered tag as a version, and says why', () => {
    const tags = { latest: true, floating: ['{major}'], nonSemver: 'never' as const, extra: ['edge'] }
    const filtered = buildCatalog([{ ...image(`${R}/demo/app`, `${R}/demo/app-{arch}:{version}`, [['linux/amd64', 'amd64']]), tags, versionPattern: /^v/u }])
    const repo = { registry: R, repository: 'demo/app-amd64' }
    const hex = 'b'.repeat(64)
    const cases: [string, string | undefined][] = [['latest', 'moving-tag'], ['1', 'moving-tag'], ['edge', 'moving-tag'], [`sha256-${hex}`, 'referrers-tag'], [`sha256-${hex}.sig`, 'referrers-tag'], ['main', 'filtered'], ['v2', undefined]]
    for (const [tag, reason] of cases) {
      expect(filtered.refusal(repo, tag)).toBe(reason)
      expect(filtered.match(repo, tag).map((m) => m.version)).toEqual(reason ? [] : [tag])
    }
    expect(catalog.match({ registry: R, repository: 'demo/suffix' }, 'latest-amd64')).toEqual([])
    expect(catalog.refusal({ registry: R, repository: 'demo/suffix' }, 'latest-amd64')).toBe('moving-tag')
    expect(catalog.refusal({ registry: R, repository: 'demo/suffix' }, 'v1.0.2')).toBeUndefined()
  })

  it('knows every target of an image, mirrors included', () => {
    const mirrored = buildCatalog([{ ...image(`${R}/demo/app`, `${R}/demo/app-{arch}:{version}`, [['linux/amd64', 'amd64']]), targets: [{ registry: R, repository: 'demo/app' }, { registry: 'ghcr.io', repository: 'org/app' }] }])
    expect(mirrored.isTarget({ registry: 'ghcr.io', repository: 'org/app' })).toBe(true)
    expect(mirrored.isKnown({ registry: 'ghcr.io', repository: 'org/app' })).toBe(true)
    expect(mirrored.isTarget({ registry: 'ghcr.io', repository: 'org/other' })).toBe(false)
  })

  it('finds images by name', () => {
    expect(catalog.image(`${R}/demo/suffix`)?.platforms).toHaveLength(2)
    expect(catalog.image('nope')).toBeUndefined()
  })
})
