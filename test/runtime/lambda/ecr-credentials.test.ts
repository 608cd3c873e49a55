// ECR credentials over the real SDK client, pointed at the fake ECR API by AWS_ENDPOINT_URL_ECR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getEcrToken } from '../../../src/runtime/lambda/aws-clients.ts'
import { createEcrCredentials, parseEcrHost } from '../../../src/runtime/lambda/ecr-credentials.ts'
import type { RegistryEndpoint } from '../../../src/registry/endpoint.ts'
import { RegistryError } from '../../../src/registry/errors.ts'
import { Secret } from '../../../src/secret.ts'
import { startFakeEcr, type FakeEcr } from '../../support/aws/fake-ecr.ts'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const endpoint = (host: string, options: Partial<RegistryEndpoint['options']> = {}): RegistryEndpoint => ({ host, base: new URL(`https://${host}`), options: { insecure: false, tokenRealms: [], ...options } })

let fake: FakeEcr
beforeAll(async () => {
  fake = await startFakeEcr({ password: 'ecr-pass-1', lifetimeSeconds: 3600, proxyEndpoint: `https://${HOST}` })
  Object.assign(process.env, { AWS_ENDPOINT_URL_ECR: fake.url, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake' })
})
afterAll(() => fake.stop())

describe('ECR credentials', () => {
  it('recognises ECR hosts (FIPS and China too) and nothing else', () => {
    expect(parseEcrHost(HOST)).toEqual({ account: '123456789012', region: 'eu-west-1' })
    expect(parseEcrHost('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toEqual({ account: '123456789012', region: 'us-gov-west-1' })
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({ account: '123456789012', region: 'cn-north-1' })
    expect(parseEcrHost('public.ecr.aws')).toBeUndefined()
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example')).toBeUndefined()
  })

  it('asks GetAuthorizationToken once and keeps the credentials until 15 minutes before expiry', async () => {
    let at = Date.now()
    const credentials = createEcrCredentials({ getToken: getEcrToken, now: () => at })
    const [first, second] = await Promise.all([credentials(endpoint(HOST)), credentials(endpoint(HOST))])
    expect(first?.username.reveal()).toBe('AWS')
    expect(first?.password.reveal()).toBe('ecr-pass-1')
    expect(second).toBe(first)
    expect(fake.requests).toEqual([['123456789012']])
    fake.issue('ecr-pass-2', 3600)
    at += 3600_000 - 15 * 60_000 - 5_000
    expect((await credentials(endpoint(HOST)))?.password.reveal()).toBe('ecr-pass-1')
    at += 10_000
    expect((await credentials(endpoint(HOST)))?.password.reveal()).toBe('ecr-pass-2')
    expect(fake.requests).toHaveLength(2)
  })

  it('leaves other hosts and configured credentials alone', async () => {
    const credentials = createEcrCredentials({ getToken: getEcrToken, now: Date.now })
    const before = fake.requests.length
    expect(await credentials(endpoint('ghcr.io'))).toBeUndefined()
    expect(await credentials(endpoint(HOST, { username: new Secret('u'), password: new Secret('p') }))).toBeUndefined()
    expect(fake.requests).toHaveLength(before)
  })

  it('turns a failed token request into a temporary registry error and asks again next time', async () => {
    let fail = true
    const credentials = createEcrCredentials({ getToken: async (registry) => (fail ? Promise.reject(Object.assign(new Error('x'), { name: 'AccessDeniedException' })) : getEcrToken(registry)), now: Date.now })
    const error = await credentials(endpoint(HOST)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RegistryError)
    expect(error).toMatchObject({ reason: 'unauthorized', temporary: true, message: `POST ecr.eu-west-1.amazonaws.com/GetAuthorizationToken: no ECR credentials for ${HOST} (AccessDeniedException)` })
    fail = false
    expect((await credentials(endpoint(HOST)))?.username.reveal()).toBe('AWS')
  })
})
