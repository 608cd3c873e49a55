import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config.ts'
import { ConfigError } from '../../src/errors.ts'
import { findSource, SOURCES } from '../../src/sources/source-table.ts'

const JWK = { kty: 'RSA', kid: 'k1', n: 'sXch', e: 'AQAB', alg: 'RS256', use: 'sig', x5c: ['ignored'] }
const registries = {
  'harbor.test': {}, 'ghcr.io': {}, 'quay.io': {}, 'acme.azurecr.io': {}, 'acme.jfrog.io': {}, 'gitea.test': {}, 'zot.test:5000': {}, 'nexus.test:8082': {},
}
const every = {
  harbor: { secret: 'h' },
  github: { secret: ['g-new', { env: 'OLD_GH' }] },
  quay: { secret: 'q', registry: 'quay.io' },
  acr: { secret: 'a', header: 'X-Hook-Token' },
  ecr: { secret: 'e' },
  gar: { audience: 'https://hooks.example.com/webhooks/gar', jwks: { keys: [JWK] }, serviceAccount: 'push@p.iam.gserviceaccount.com' },
  artifactory: { secret: 'j', registry: 'acme.jfrog.io' },
  gitea: { secret: 't' },
  zot: { username: 'zot', password: ['p1', 'p2'], registry: 'zot.test:5000' },
  nexus: { secret: 'n', repositories: { 'docker-hosted': 'nexus.test:8082' } },
}

describe('sources config', () => {
  it('resolves every provider source with its defaults', () => {
    const { sources } = parseConfig({ registries, sources: every }, { OLD_GH: 'g-old' })
    expect(sources.github?.secrets.map((s) => s.reveal())).toEqual(['g-new', 'g-old'])
    expect(sources.github?.registry).toBe('ghcr.io')
    expect(sources.acr).toMatchObject({ header: 'x-hook-token' })
    expect(sources.ecr).toMatchObject({ header: 'authorization' })
    expect(sources.gar).toEqual({ audiences: ['https://hooks.example.com/webhooks/gar'], jwks: [{ kty: 'RSA', kid: 'k1', n: 'sXch', e: 'AQAB' }], clockSkewSeconds: 60, serviceAccount: 'push@p.iam.gserviceaccount.com' })
    expect(sources.artifactory).toMatchObject({ signing: 'hmac', repoKeyInPath: true, registry: 'acme.jfrog.io' })
    expect(sources.gitea).toMatchObject({ maxAgeSeconds: 3600 })
    expect(sources.nexus).toMatchObject({ maxAgeSeconds: 3600, repositories: { 'docker-hosted': 'nexus.test:8082' } })
    expect(sources.zot?.passwords.map((s) => s.reveal())).toEqual(['p1', 'p2'])
    expect(JSON.stringify(sources)).not.toMatch(/"h"|g-new|p1/)
  })

  it('routes every id of the table, and only the path-secret sources take a path segment', () => {
    const config = parseConfig({ registries, sources: every }, { OLD_GH: 'g-old' })
    for (const id of Object.keys(every)) expect(findSource(id)?.options(config), id).toBeDefined()
    expect(Object.keys(SOURCES).filter((id) => SOURCES[id]?.secretInPath)).toEqual(['dockerhub', 'quay'])
  })

  it('lists every bad key: hosts that are not configured registries, missing env, bad header names and keys', () => {
    const bad = {
      harbor: { secret: { env: 'MISSING' }, registry: 'nowhere.example' },
      github: { secret: 'g' },
      acr: { secret: 'a', header: 'not a header' },
      artifactory: { secret: 'j', registry: 'jfrog.example' },
      zot: { username: 'zot', password: 'p', registry: 'zot.example' },
      nexus: { secret: 'n', repositories: { hosted: 'nexus.example' }, maxAgeSeconds: -1 },
      gar: { audience: 'a', jwks: { keys: [{ kty: 'EC', kid: 'k' }] } },
    }
    const error = (() => {
      try {
        parseConfig({ sources: bad })
      } catch (caught) {
        return caught as ConfigError
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error?.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^sources\.acr\.header: /), expect.stringMatching(/^sources\.nexus\.maxAgeSeconds: /), expect.stringMatching(/^sources\.gar\.jwks\.keys\.0\./)]))
    const second = (() => {
      try {
        parseConfig({ sources: { ...bad, acr: undefined, nexus: { secret: 'n', repositories: { hosted: 'nexus.example' } }, gar: undefined } })
      } catch (caught) {
        return caught as ConfigError
      }
    })()
    expect(second?.issues).toEqual([
      'sources.harbor.secret: environment variable MISSING is not set',
      'sources.harbor.registry: "nowhere.example" is not a configured registry',
      'sources.github.registry: "ghcr.io" is not a configured registry',
      'sources.artifactory.registry: "jfrog.example" is not a configured registry',
      'sources.zot.registry: "zot.example" is not a configured registry',
      'sources.nexus.repositories.hosted: "nexus.example" is not a configured registry',
    ])
  })

  it('takes zot with Basic credentials, a token, or both; refuses half or none', () => {
    const zot = (section: object) => parseConfig({ registries, sources: { zot: { registry: 'zot.test:5000', ...section } } }).sources.zot
    expect(zot({ token: ['t1', 't2'] })?.tokens?.map((s) => s.reveal())).toEqual(['t1', 't2'])
    expect(zot({ token: 't1' })).toMatchObject({ passwords: [], registry: 'zot.test:5000' })
    expect(zot({ token: 't1' })?.username).toBeUndefined()
    expect(zot({ username: 'u', password: 'p', token: 't' })?.tokens?.map((s) => s.reveal())).toEqual(['t'])
    for (const section of [{}, { username: 'u' }, { password: 'p', token: 't' }]) {
      expect(() => zot(section), JSON.stringify(section)).toThrow(ConfigError)
      try {
        zot(section)
      } catch (caught) {
        expect((caught as ConfigError).issues).toEqual(['sources.zot: set username and password, or token'])
      }
    }
  })

  it('refuses unknown keys in a source section', () => {
    expect(() => parseConfig({ registries, sources: { quay: { secret: 'q', token: 'x' } } })).toThrow(ConfigError)
  })
})
