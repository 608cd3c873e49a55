import { describe, expect, it } from 'vitest'
import { appendQuery, buildRegistryUrl, isRegistryOrigin, resolveEndpoint } from '../../src/registry/endpoint.ts'
import { RegistryError } from '../../src/registry/errors.ts'
import { registryOptions, repo } from './client-fixture.ts'

describe('resolveEndpoint', () => {
  it.each([
    ['127.0.0.1:5000', registryOptions({ insecure: true }), 'http://127.0.0.1:5000/'],
    ['ghcr.io', registryOptions({ insecure: false }), 'https://ghcr.io/'],
    ['docker.io', registryOptions({ insecure: false }), 'https://registry-1.docker.io/'],
    ['mirror.test', registryOptions({ insecure: false, endpoint: 'https://proxy.test/prefix/' }), 'https://proxy.test/prefix'],
  ])('%s -> %s', (host, options, base) => {
    const endpoint = resolveEndpoint({ [host]: options }, repo(host, 'demo/app'), 'GET')
    expect(endpoint.base.href).toBe(base)
    expect(buildRegistryUrl(endpoint, 'demo/app', 'manifests', 'v1').href).toBe(`${base.replace(/\/$/, '')}/v2/demo/app/manifests/v1`)
  })

  it('refuses hosts that are not configured', () => {
    const attempt = () => resolveEndpoint({ 'ghcr.io': registryOptions() }, repo('evil.test', 'a/b'), 'GET')
    expect(attempt).toThrowError(RegistryError)
    expect(attempt).toThrowError(/registry "evil.test" is not configured/)
  })

  it('treats only the same scheme, host and port as the registry origin', () => {
    const endpoint = resolveEndpoint({ 'r.test:5000': registryOptions({ insecure: false }) }, repo('r.test:5000', 'a'), 'GET')
    expect(isRegistryOrigin(endpoint, new URL('https://r.test:5000/v2/x'))).toBe(true)
    expect(isRegistryOrigin(endpoint, new URL('https://r.test:5001/v2/x'))).toBe(false)
    expect(isRegistryOrigin(endpoint, new URL('http://r.test:5000/v2/x'))).toBe(false)
    expect(isRegistryOrigin(endpoint, new URL('https://s3.test/blob'))).toBe(false)
  })
})

describe('appendQuery', () => {
  it.each([
    ['https://r.test/v2/a/blobs/uploads/1', 'https://r.test/v2/a/blobs/uploads/1?digest=sha256%3Aab'],
    ['https://r.test/v2/a/blobs/uploads/1?_state=a%3D%3D', 'https://r.test/v2/a/blobs/uploads/1?_state=a%3D%3D&digest=sha256%3Aab'],
  ])('%s', (input, expected) => {
    expect(appendQuery(new URL(input), 'digest', 'sha256:ab').href).toBe(expected)
  })
})
