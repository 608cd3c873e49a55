import { describe, expect, it } from 'vitest'
import {
  isTemporaryRegistryError,
  isTemporaryStatus,
  readRegistryError,
  RegistryError,
} from '../../src/registry/errors.ts'

const ociBody = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: { x: 1 } }] })

describe('readRegistryError', () => {
  it('formats METHOD url: status CODE message from an OCI error body', async () => {
    const response = new Response(ociBody('MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry'), { status: 400 })
    const error = await readRegistryError(response, 'PUT', 'http://127.0.0.1:5000/v2/demo/app/manifests/v1.0.2')
    expect(error.message).toBe('PUT http://127.0.0.1:5000/v2/demo/app/manifests/v1.0.2: 400 MANIFEST_BLOB_UNKNOWN blob unknown to registry')
    expect(error).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'http', status: 400, ociCodes: ['MANIFEST_BLOB_UNKNOWN'], temporary: false })
  })

  it('falls back to the status text when the body is not an OCI error', async () => {
    const response = new Response('<html>oops</html>', { status: 502, statusText: 'Bad Gateway' })
    const error = await readRegistryError(response, 'GET', 'https://r.test/v2/a/blobs/x')
    expect(error.message).toBe('GET https://r.test/v2/a/blobs/x: 502 Bad Gateway')
    expect(error.temporary).toBe(true)
  })

  it('marks 401 as unauthorized and reads a body larger than 64 KiB only partially', async () => {
    const huge = `{"errors":[{"code":"UNAUTHORIZED","message":"${'x'.repeat(70_000)}"}]}`
    const error = await readRegistryError(new Response(huge, { status: 401 }), 'GET', 'https://r.test/v2/')
    expect(error.reason).toBe('unauthorized')
    expect(error.ociCodes).toEqual([]) // truncated JSON is not parsed, and nothing hangs
  })

  it.each([
    ['TOOMANYREQUESTS', 403, true],
    ['UNAVAILABLE', 400, true],
    ['DENIED', 403, false],
  ])('classifies OCI code %s (status %d) as temporary=%s', async (code, status, temporary) => {
    const error = await readRegistryError(new Response(ociBody(code, 'm'), { status }), 'GET', 'https://r.test/v2/')
    expect(error.temporary).toBe(temporary)
    expect(isTemporaryRegistryError(error)).toBe(temporary)
  })
})

describe('isTemporaryStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [499, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [522, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
  ])('%d -> %s', (status, expected) => {
    expect(isTemporaryStatus(status)).toBe(expected)
  })
})

describe('RegistryError', () => {
  it('redacts secrets in the URL, in the message and in JSON', () => {
    const error = new RegistryError({
      reason: 'http',
      method: 'GET',
      url: 'https://user:hunter2@r.test/v2/a/blobs/x?X-Amz-Signature=abc123&token=tok456',
      detail: '403 DENIED',
      status: 403,
    })
    const text = `${error.message} ${JSON.stringify(error)} ${error.url}`
    for (const secret of ['hunter2', 'abc123', 'tok456']) expect(text).not.toContain(secret)
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'REGISTRY_ERROR', reason: 'http', status: 403, method: 'GET' })
  })

  it('is not temporary unless said so, and other errors are never temporary', () => {
    expect(isTemporaryRegistryError(new RegistryError({ reason: 'network', method: 'GET', url: 'x', detail: 'd' }))).toBe(false)
    expect(isTemporaryRegistryError(new TypeError('fetch failed'))).toBe(false)
    expect(isTemporaryRegistryError(undefined)).toBe(false)
  })
})
