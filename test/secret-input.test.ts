import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.ts'
import { findSecretsManagerIds } from '../src/secret-input.ts'

const config = {
  registries: {
    'ghcr.io': { username: 'bot', password: { secretsManager: { id: 'manifest-hook', key: 'ghcrToken' } } },
    'quay.io': { username: 'robot', password: { secretsManager: { id: 'quay-robot' } } },
  },
  sources: { distribution: { token: [{ secretsManager: { id: 'manifest-hook', key: 'webhookToken' } }, { env: 'OLD_TOKEN' }] } },
  server: { adminToken: { secretsManager: { id: 'manifest-hook', key: 'adminToken' } } },
}
const values = new Map([
  ['manifest-hook', JSON.stringify({ ghcrToken: 'ghp_from_sm', webhookToken: 'hook-from-sm', adminToken: 'admin-from-sm' })],
  ['quay-robot', 'quay-plain-string'],
])

describe('Secrets Manager references in the config', () => {
  it('lists each secret id once, wherever it appears', () => {
    expect(findSecretsManagerIds(config)).toEqual(['manifest-hook', 'quay-robot'])
    expect(findSecretsManagerIds({ images: [], sources: { distribution: { token: 'x' } } })).toEqual([])
  })

  it('takes a key of a JSON secret, or the whole string without a key', () => {
    const parsed = parseConfig(config, { OLD_TOKEN: 'old' }, values)
    expect(parsed.registries['ghcr.io']?.password?.reveal()).toBe('ghp_from_sm')
    expect(parsed.registries['quay.io']?.password?.reveal()).toBe('quay-plain-string')
    expect(parsed.sources.distribution?.tokens.map((t) => t.reveal())).toEqual(['hook-from-sm', 'old'])
    expect(parsed.server.adminToken?.reveal()).toBe('admin-from-sm')
    expect(JSON.stringify(parsed)).not.toContain('from-sm')
  })

  it('reports a missing key, a non-JSON secret read by key, and references outside Lambda, never with a value', () => {
    const broken = new Map([['manifest-hook', JSON.stringify({ ghcrToken: 'ghp_x' })], ['quay-robot', 'not json']])
    const input = { ...config, registries: { ...config.registries, 'quay.io': { password: { secretsManager: { id: 'quay-robot', key: 'k' } } } } }
    expect(() => parseConfig(input, { OLD_TOKEN: 'old' }, broken)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        issues: [
          'registries.quay.io.password: Secrets Manager secret "quay-robot" has no string key "k"',
          'server.adminToken: Secrets Manager secret "manifest-hook" has no string key "adminToken"',
          'sources.distribution.token.0: Secrets Manager secret "manifest-hook" has no string key "webhookToken"',
        ],
      }),
    )
    expect(() => parseConfig({ sources: { distribution: { token: { secretsManager: { id: 's' } } } } })).toThrow(
      expect.objectContaining({ issues: ['sources.distribution.token: Secrets Manager references are resolved only on AWS Lambda (use {"env": …} here)'] }),
    )
    // A blank value is refused like a blank literal or environment variable.
    const blank = new Map([['manifest-hook', JSON.stringify({ webhookToken: '  ' })], ['plain', ' ']])
    const refs = { token: [{ secretsManager: { id: 'manifest-hook', key: 'webhookToken' } }, { secretsManager: { id: 'plain' } }] }
    expect(() => parseConfig({ sources: { distribution: refs } }, {}, blank)).toThrow(
      expect.objectContaining({
        issues: ['sources.distribution.token.0: Secrets Manager secret "manifest-hook" has no string key "webhookToken"', 'sources.distribution.token.1: Secrets Manager secret "plain" has no string value'],
      }),
    )
  })

  it('reads a reference without id from the secret MANIFEST_HOOK_SECRET_ID names', () => {
    const input = { sources: { distribution: { token: { secretsManager: { key: 'webhookToken' } } } }, server: { adminToken: { secretsManager: { id: 'quay-robot' } } } }
    expect(findSecretsManagerIds(input, 'manifest-hook')).toEqual(['manifest-hook', 'quay-robot'])
    expect(findSecretsManagerIds(input)).toEqual(['quay-robot'])
    const parsed = parseConfig(input, { MANIFEST_HOOK_SECRET_ID: 'manifest-hook' }, values)
    expect(parsed.sources.distribution?.tokens.map((t) => t.reveal())).toEqual(['hook-from-sm'])
    expect(parsed.server.adminToken?.reveal()).toBe('quay-plain-string')
    for (const env of [{}, { MANIFEST_HOOK_SECRET_ID: ' ' }]) {
      expect(() => parseConfig(input, env, values)).toThrow(
        expect.objectContaining({ issues: ['sources.distribution.token: names no Secrets Manager secret ("id"), and MANIFEST_HOOK_SECRET_ID is not set'] }),
      )
    }
  })

  it('refuses a reference with unknown fields', () => {
    expect(() => parseConfig({ sources: { distribution: { token: { secretsManager: { id: 's', version: 'v1' } } } } }, {}, values)).toThrow(
      expect.objectContaining({ issues: [expect.stringMatching(/^sources\.distribution\.token\.secretsManager: Unrecognized key: "version"/)] }),
    )
  })
})
