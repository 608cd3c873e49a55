import { describe, expect, it } from 'vitest'
import { buildSourcePattern, matchSourceTag, parseSourceTemplate, renderSourceTag } from '../../src/core/naming.ts'

function template(text: string) {
  const parsed = parseSourceTemplate(text)
  if (!parsed.ok) throw new Error(parsed.reason)
  return parsed.value
}

describe('parseSourceTemplate', () => {
  it('splits registry, repository and tag', () => {
    expect(template('127.0.0.1:5150/demo/app-{arch}:{version}')).toEqual({ registry: '127.0.0.1:5150', repository: 'demo/app-{arch}', tag: '{version}' })
    expect(template('demo/suffix:{version}-{arch}')).toEqual({ registry: 'docker.io', repository: 'demo/suffix', tag: '{version}-{arch}' })
    expect(template('{arch}/app:{version}')).toEqual({ registry: 'docker.io', repository: '{arch}/app', tag: '{version}' })
    expect(template('app-{arch}:{version}')).toEqual({ registry: 'docker.io', repository: 'library/app-{arch}', tag: '{version}' })
  })

  it.each([
    ['demo/app-{arch}', 'needs a tag part'],
    ['demo/app:{arch}', 'needs exactly one {version}'],
    ['demo/app:{version}', 'needs exactly one {arch}'],
    ['demo/{version}:{arch}', '{version} must be in the tag'],
    ['demo/app:{version}-{arch}-{arch}', 'needs exactly one {arch}'],
    ['Demo/App:{version}-{arch}', 'not a valid image reference'],
  ])('rejects %s', (text, reason) => {
    const parsed = parseSourceTemplate(text)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.reason).toContain(reason)
  })
})

describe('buildSourcePattern', () => {
  it('matches separate-repository names', () => {
    const pattern = buildSourcePattern(template('127.0.0.1:5150/demo/app-{arch}:{version}'), 'arm64')
    expect(pattern.repository).toBe('demo/app-arm64')
    expect(matchSourceTag(pattern, 'v1.0.2')).toBe('v1.0.2')
    expect(matchSourceTag(pattern, '1.0.3-rc.1')).toBe('1.0.3-rc.1')
  })

  it('matches suffix tags and nothing else', () => {
    const pattern = buildSourcePattern(template('127.0.0.1:5150/demo/suffix:{version}-{arch}'), 'armv7')
    expect(matchSourceTag(pattern, 'v1.0.2-armv7')).toBe('v1.0.2')
    expect(matchSourceTag(pattern, 'v1.0.2-rc.1-armv7')).toBe('v1.0.2-rc.1')
    expect(matchSourceTag(pattern, 'v1.0.2')).toBeUndefined()
    expect(matchSourceTag(pattern, 'latest')).toBeUndefined()
    expect(matchSourceTag(pattern, 'v1.0.2-arm64')).toBeUndefined()
    expect(matchSourceTag(pattern, '-armv7')).toBeUndefined()
  })

  it('renders the inverse of matchSourceTag', () => {
    const parsed = template('r.example/demo/suffix:{version}-{arch}')
    expect(renderSourceTag(parsed, 'amd64', 'v2.0.0')).toBe('v2.0.0-amd64')
  })
})
