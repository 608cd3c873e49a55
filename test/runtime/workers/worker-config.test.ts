import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.ts'
import { loadWorkerConfig } from '../../../src/runtime/workers/worker-config.ts'

const CONFIG = {
  registries: { 'ghcr.io': { username: 'bot', password: { env: 'GHCR_TOKEN' } } },
  images: [{ target: 'ghcr.io/acme/app', from: 'ghcr.io/acme/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64'] }],
}

describe('Workers configuration', () => {
  it('parses MANIFEST_HOOK_CONFIG and resolves {"env"} secrets from the Worker secrets', () => {
    const config = loadWorkerConfig({ MANIFEST_HOOK_CONFIG: JSON.stringify(CONFIG), GHCR_TOKEN: 'ghp_secret', IMAGES: {} })
    expect(config.images.map((image) => image.name)).toEqual(['ghcr.io/acme/app'])
    expect(config.registries['ghcr.io']?.password?.reveal()).toBe('ghp_secret')
  })

  it('returns the same parsed configuration while the text is unchanged', () => {
    const env = { MANIFEST_HOOK_CONFIG: JSON.stringify(CONFIG), GHCR_TOKEN: 'ghp_secret' }
    expect(loadWorkerConfig(env)).toBe(loadWorkerConfig({ ...env }))
  })

  it('names what is missing or wrong', () => {
    const issues = (env: Record<string, unknown>) => {
      try {
        loadWorkerConfig(env)
      } catch (error) {
        if (error instanceof ConfigError) return error.issues
      }
      throw new Error('no ConfigError')
    }
    expect(issues({})).toEqual(['MANIFEST_HOOK_CONFIG is not set: put the configuration JSON in that variable (wrangler.jsonc "vars" or `wrangler secret put`)'])
    expect(issues({ MANIFEST_HOOK_CONFIG: '{images' })[0]).toMatch(/^MANIFEST_HOOK_CONFIG: not valid JSON \(/)
    expect(issues({ MANIFEST_HOOK_CONFIG: JSON.stringify(CONFIG) })).toEqual(['registries.ghcr.io.password: environment variable GHCR_TOKEN is not set'])
  })
})
