import { describe, expect, it } from 'vitest'
import { addNewestScopes, coversScopes, formatScopes, limitScopes, mergeScopes, parseChallenge } from '../../src/registry/auth-challenge.ts'

describe('parseChallenge', () => {
  it.each([
    ['Basic realm="Registry Realm"', { scheme: 'basic' }],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      { scheme: 'bearer', realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scopes: ['repository:library/alpine:pull'] },
    ],
    [
      // distribution 2.8 on a cross-repo mount without pull on the source
      'Bearer realm="http://127.0.0.1:5001/auth",service="reg",scope="repository:t:pull,push repository:s:pull",error="insufficient_scope"',
      { scheme: 'bearer', realm: 'http://127.0.0.1:5001/auth', service: 'reg', scopes: ['repository:t:pull,push', 'repository:s:pull'], error: 'insufficient_scope' },
    ],
    ['bearer realm=https://r.test/token', { scheme: 'bearer', realm: 'https://r.test/token', scopes: [] }],
    ['Bearer realm="a\\"b"', { scheme: 'bearer', realm: 'a"b', scopes: [] }],
  ])('%s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected)
  })

  it.each([[null], [''], ['Negotiate abc'], ['Bearer service="x"']])('ignores %j', (header) => {
    expect(parseChallenge(header)).toBeUndefined()
  })
})

describe('scope sets', () => {
  it('merges actions per resource, keeping first-seen order', () => {
    const merged = mergeScopes(['repository:t:pull', 'repository:s:pull'], ['repository:t:push'])
    expect(formatScopes(merged)).toEqual(['repository:t:pull,push', 'repository:s:pull'])
  })

  it('adds declarations in place as the newest, dropping the oldest beyond the bound', () => {
    const declared = new Map<string, Set<string>>()
    addNewestScopes(declared, ['repository:a:pull', 'repository:b:pull', 'repository:c:pull'], 3)
    addNewestScopes(declared, ['repository:a:push'], 3)
    expect(formatScopes(declared)).toEqual(['repository:b:pull', 'repository:c:pull', 'repository:a:pull,push'])
    addNewestScopes(declared, ['repository:d:pull'], 3)
    expect(formatScopes(declared)).toEqual(['repository:c:pull', 'repository:a:pull,push', 'repository:d:pull'])
  })

  it('limits a set to its first resources, returning a small set as it is', () => {
    const set = mergeScopes(['repository:a:pull', 'repository:b:pull', 'repository:c:pull'])
    expect(formatScopes(limitScopes(set, 2))).toEqual(['repository:a:pull', 'repository:b:pull'])
    expect(limitScopes(set, 3)).toBe(set)
  })

  it.each([
    [['repository:t:pull,push'], ['repository:t:pull'], true],
    [['repository:t:pull'], ['repository:t:pull,push'], false],
    [['repository:t:pull,push'], ['repository:t:push', 'repository:s:pull'], false],
    [['repository:t:*'], ['repository:t:push'], true],
    [['repository:a:pull', 'repository:b:pull'], [], true],
  ])('%j covers %j: %s', (have, need, expected) => {
    expect(coversScopes(mergeScopes(have), mergeScopes(need))).toBe(expected)
  })
})
