import { describe, expect, it } from 'vitest'
import { formatReference, parseReference, parseRepositoryName } from '../../src/core/reference.ts'

describe('parseReference', () => {
  it.each([
    ['127.0.0.1:5150/demo/app:v1.0.2', { registry: '127.0.0.1:5150', repository: 'demo/app', tag: 'v1.0.2' }],
    ['ghcr.io/org/app:1.0', { registry: 'ghcr.io', repository: 'org/app', tag: '1.0' }],
    ['org/app:latest', { registry: 'docker.io', repository: 'org/app', tag: 'latest' }],
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io/org/app', { registry: 'docker.io', repository: 'org/app' }],
    ['localhost/app:1', { registry: 'localhost', repository: 'app', tag: '1' }],
    ['localhost:5000/a/b/c@sha256:' + 'a'.repeat(64), { registry: 'localhost:5000', repository: 'a/b/c', digest: 'sha256:' + 'a'.repeat(64) }],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected)
  })

  it.each(['', 'Org/App', 'org/app:', 'org/app:-bad', 'org//app', 'org/app@sha256:xyz', 'org/app:' + 'x'.repeat(129), 'a/b:c:d'])('rejects %j', (input) => {
    expect(parseReference(input)).toBeUndefined()
  })

  it('round-trips through formatReference', () => {
    const ref = parseReference('127.0.0.1:5150/demo/app-arm64:v1.0.2')!
    expect(formatReference(ref)).toBe('127.0.0.1:5150/demo/app-arm64:v1.0.2')
  })
})

describe('parseRepositoryName', () => {
  it('defaults Docker Hub official images to library/', () => {
    expect(parseRepositoryName('nginx')).toEqual({ registry: 'docker.io', repository: 'library/nginx' })
  })
})
