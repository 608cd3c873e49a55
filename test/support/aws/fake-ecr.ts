/**
 * An ECR API fake for the real SDK client (AWS_ENDPOINT_URL_ECR points at it): GetAuthorizationToken
 * hands out `AWS:<password>` credentials that the test's token-auth registry accepts.
 */
import { handleAwsJson, startLoopbackServer } from './loopback-server.ts'

export interface FakeEcr {
  url: string
  /** Every GetAuthorizationToken's registryIds (undefined when none were sent). */
  requests: (string[] | undefined)[]
  /** The password the next token carries, and how long it lives. */
  issue(password: string, lifetimeSeconds: number): void
  stop(): Promise<void>
}

/** Starts the fake; `proxyEndpoint` is what the token names as the registry URL. */
export async function startFakeEcr(options: { password: string; lifetimeSeconds?: number; proxyEndpoint: string }): Promise<FakeEcr> {
  const requests: FakeEcr['requests'] = []
  let next = { password: options.password, lifetimeSeconds: options.lifetimeSeconds ?? 12 * 3600 }
  const server = await startLoopbackServer(
    handleAwsJson({
      // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
      GetAuthorizationToken: (input: { registryIds?: string[] }) => {
        requests.push(input.registryIds)
        const authorizationToken = Buffer.from(`AWS:${next.password}`).toString('base64')
        return { authorizationData: [{ authorizationToken, expiresAt: Date.now() / 1000 + next.lifetimeSeconds, proxyEndpoint: options.proxyEndpoint }] }
      },
    }),
  )
  return {
    url: server.url,
    requests,
    issue: (password, lifetimeSeconds) => void (next = { password, lifetimeSeconds }),
    stop: server.stop,
  }
}
