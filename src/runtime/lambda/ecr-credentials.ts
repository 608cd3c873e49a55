/**
 * Credentials for Amazon ECR registries (`<account>.dkr.ecr.<region>.amazonaws.com`) configured
 * without a username and password: GetAuthorizationToken with the function's role, cached until
 * shortly before the token expires (12 hours after issue:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html).
 */
import type { RegistryEndpoint } from '../../registry/endpoint.ts'
import { RegistryError } from '../../registry/errors.ts'
import type { CredentialSource } from '../../registry/request-context.ts'
import { Secret } from '../../secret.ts'

/** What GetAuthorizationToken returned: base64 `AWS:<password>` and its expiry. */
export interface EcrToken {
  authorizationToken: string
  expiresAt: Date
}

export interface EcrCredentialsOptions {
  getToken(registry: { account: string; region: string }): Promise<EcrToken>
  now: () => number
}

// Private registries, FIPS endpoints and the China partition: https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/
// Renewed this long before expiry, so a token never runs out in the middle of a publish.
const RENEW_BEFORE_MS = 15 * 60_000

/** The account and region of an ECR registry host; undefined for other hosts. */
export function parseEcrHost(host: string): { account: string; region: string } | undefined {
  const match = ECR_HOST.exec(host)
  return match?.[1] && match[2] ? { account: match[1], region: match[2] } : undefined
}

interface Cached {
  credentials: Promise<{ username: Secret; password: Secret }>
  renewAt: number
}

/** The registry client's credential source for ECR hosts. */
export function createEcrCredentials(options: EcrCredentialsOptions): CredentialSource {
  const cache = new Map<string, Cached>()
  return async (endpoint: RegistryEndpoint) => {
    const registry = parseEcrHost(endpoint.host)
    if (!registry || endpoint.options.username || endpoint.options.password) return undefined
    const found = cache.get(endpoint.host)
    if (found && options.now() < found.renewAt) return found.credentials
    const entry: Cached = { credentials: obtain(options, registry, endpoint.host, (renewAt) => void (entry.renewAt = renewAt)), renewAt: Number.POSITIVE_INFINITY }
    cache.set(endpoint.host, entry)
    entry.credentials.catch(() => cache.delete(endpoint.host))
    return entry.credentials
  }
}

async function obtain(options: EcrCredentialsOptions, registry: { account: string; region: string }, host: string, setRenewAt: (at: number) => void) {
  let token: EcrToken
  try {
    token = await options.getToken(registry)
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error'
    throw new RegistryError({ reason: 'unauthorized', method: 'POST', url: `ecr.${registry.region}.amazonaws.com/GetAuthorizationToken`, detail: `no ECR credentials for ${host} (${name})`, temporary: true })
  }
  const decoded = atob(token.authorizationToken)
  const colon = decoded.indexOf(':')
  setRenewAt(token.expiresAt.getTime() - RENEW_BEFORE_MS)
  return { username: new Secret(decoded.slice(0, colon)), password: new Secret(decoded.slice(colon + 1)) }
}
