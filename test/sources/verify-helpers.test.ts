import { describe, expect, it } from 'vitest'
import { UnauthorizedError } from '../../src/errors.ts'
import { Secret } from '../../src/secret.ts'
import {
  matchesAnySecret,
  readBasicAuth,
  requireBasicAuth,
  requireHeaderSecret,
  requireHmac,
  requireSecret,
  timingSafeEqualHex,
  timingSafeEqualSecret,
  verifyByHead,
} from '../../src/sources/verify.ts'
import { hmacSha1, hmacSha256 } from './helpers/signing.ts'

const encoder = new TextEncoder()
const secrets = [new Secret('first'), new Secret('second')]

describe('constant-time comparisons', () => {
  it('compares secrets of any length, including prefixes, extensions and non-ASCII', () => {
    expect(timingSafeEqualSecret('second', 'second')).toBe(true)
    for (const other of ['secon', 'secondd', '', 'Second', 'sécond']) expect(timingSafeEqualSecret(other, 'second')).toBe(false)
    expect(timingSafeEqualSecret('sécond', 'sécond')).toBe(true)
  })

  it('compares hex digests, unequal at once when the (public) length differs', () => {
    expect(timingSafeEqualHex('ab01', 'ab01')).toBe(true)
    expect(timingSafeEqualHex('ab01', 'ab02')).toBe(false)
    expect(timingSafeEqualHex('ab0', 'ab01')).toBe(false)
  })

  it('matches any of several presented values against any secret (rotation)', () => {
    expect(matchesAnySecret(['Bearer second', 'second'], secrets)).toBe(true)
    expect(matchesAnySecret('first', secrets)).toBe(true)
    expect(matchesAnySecret(['third', 'Bearer first'], secrets)).toBe(false)
    expect(matchesAnySecret('first', [])).toBe(false)
  })
})

describe('requireHmac', () => {
  const body = encoder.encode('{"a":1}')
  const check = { algorithm: 'SHA-256' as const, bodies: [body], secrets, what: 'X-Signature' }

  it('accepts the HMAC under any secret, in either case, over any candidate body', async () => {
    await expect(requireHmac(await hmacSha256('second', body), check)).resolves.toBeUndefined()
    await expect(requireHmac((await hmacSha256('first', body)).toUpperCase(), check)).resolves.toBeUndefined()
    const compact = encoder.encode('{"a":1}')
    const pretty = encoder.encode('{ "a" : 1 }')
    await expect(requireHmac(await hmacSha1('first', compact), { ...check, algorithm: 'SHA-1', bodies: [pretty, compact] })).resolves.toBeUndefined()
  })

  it('refuses a wrong key, a wrong algorithm, junk and nothing, naming the header but never a secret', async () => {
    await expect(requireHmac(await hmacSha256('third', body), check)).rejects.toThrow('X-Signature does not match')
    await expect(requireHmac(await hmacSha1('first', body), check)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(requireHmac('zz', check)).rejects.toBeInstanceOf(UnauthorizedError)
    await expect(requireHmac(null, check)).rejects.toThrow('X-Signature is missing')
    await expect(requireHmac('00', { ...check, secrets: [] })).rejects.toThrow(/no secret is configured/)
    await expect(requireHmac(await hmacSha256('third', body), check)).rejects.not.toThrow(/first|second/)
  })
})

describe('static header and Basic credentials', () => {
  it('takes a header value as typed or the token after Bearer', () => {
    expect(requireHeaderSecret('second', secrets, 'X-Token header')).toBeUndefined()
    expect(requireHeaderSecret('Bearer first', secrets, 'X-Token header')).toBeUndefined()
    expect(requireHeaderSecret('  first  ', secrets, 'X-Token header')).toBeUndefined()
    expect(() => requireHeaderSecret('Token first', secrets, 'X-Token header')).toThrow('X-Token header does not match')
    expect(() => requireHeaderSecret(null, secrets, 'X-Token header')).toThrow('X-Token header is missing')
    expect(() => requireHeaderSecret('first', [], 'X-Token header')).toThrow(/no secret is configured/)
  })

  it('reads Basic credentials (UTF-8, colons in the password) and refuses malformed ones', () => {
    const basic = (text: string) => `Basic ${btoa(String.fromCharCode(...encoder.encode(text)))}`
    expect(readBasicAuth(basic('zot:pa:ss'))).toEqual({ username: 'zot', password: 'pa:ss' })
    expect(readBasicAuth(basic('zoë:pässword'))).toEqual({ username: 'zoë', password: 'pässword' })
    for (const header of [null, 'Basic', 'Basic @@@', `Basic ${btoa('no-colon')}`, `Basic ${btoa('\xff\xfe:x')}`, 'Bearer abc']) {
      expect(readBasicAuth(header)).toBeUndefined()
    }
  })

  it('needs the configured user and one of the passwords', () => {
    const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`
    expect(requireBasicAuth(basic('zot', 'second'), 'zot', secrets, 'Basic')).toBeUndefined()
    expect(() => requireBasicAuth(basic('root', 'second'), 'zot', secrets, 'Basic')).toThrow(UnauthorizedError)
    expect(() => requireBasicAuth(basic('zot', 'third'), 'zot', secrets, 'Basic')).toThrow(UnauthorizedError)
    expect(() => requireBasicAuth(null, 'zot', secrets, 'Basic')).toThrow('Basic is missing')
  })
})

describe('verifyByHead', () => {
  const head = { headers: new Headers({ authorization: 'Bearer second' }), params: {}, receivedAt: '2026-12-03T00:00:00Z' }
  const staticCheck = verifyByHead<{ tokens: Secret[] }>((delivery, options) => requireSecret(delivery.headers.get('authorization')?.slice(7), options.tokens, 'token'))

  it('proves a static secret synchronously: a delivery pays no promise for it', () => {
    expect(staticCheck.verifyHead(head, { tokens: secrets })).toBe(true)
    expect(() => staticCheck.verifyHead(head, { tokens: [new Secret('third')] })).toThrow('token does not match')
  })

  it('returns the promise of an asynchronous check (a signed token) and rejects when it fails', async () => {
    const signed = verifyByHead<{ ok: boolean }>(async (_delivery, options) => {
      await Promise.resolve()
      if (!options.ok) throw new UnauthorizedError('token signature does not match')
    })
    const proven = signed.verifyHead(head, { ok: true })
    expect(proven).toBeInstanceOf(Promise)
    expect(await proven).toBe(true)
    await expect(signed.verifyHead(head, { ok: false })).rejects.toThrow('token signature does not match')
  })

  it('runs the same check when the whole delivery is verified', async () => {
    await expect(staticCheck.verify(head, { tokens: secrets })).resolves.toBeUndefined()
    await expect(staticCheck.verify(head, { tokens: [] })).rejects.toThrow('no secret is configured')
  })
})
