/**
 * A Secrets Manager fake for the real SDK client (AWS_ENDPOINT_URL_SECRETS_MANAGER points at it):
 * GetSecretValue over the JSON 1.1 protocol. Secrets can be rotated and the service broken.
 */
import { AwsFault, handleAwsJson, startLoopbackServer } from './loopback-server.ts'

export interface FakeSecretsManager {
  url: string
  /** Every GetSecretValue's SecretId, in order. */
  requests: string[]
  /** Sets (or rotates) a secret's string. */
  put(id: string, value: string): void
  /** While true, every call answers 500 InternalServiceError. */
  setFailing(failing: boolean): void
  stop(): Promise<void>
}

/** Starts the fake with `secrets` (id → SecretString). */
export async function startFakeSecretsManager(secrets: Record<string, string> = {}): Promise<FakeSecretsManager> {
  const values = new Map(Object.entries(secrets))
  const requests: string[] = []
  let failing = false
  let versions = 0
  const server = await startLoopbackServer(
    handleAwsJson({
      GetSecretValue: (input: { SecretId: string }) => {
        requests.push(input.SecretId)
        if (failing) throw new AwsFault('InternalServiceError', 'the fake is failing on purpose', 500)
        const value = values.get(input.SecretId)
        if (value === undefined) throw new AwsFault('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
        const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${input.SecretId}-AbCdEf`
        return { ARN: arn, Name: input.SecretId, VersionId: `v${++versions}`, SecretString: value, VersionStages: ['AWSCURRENT'], CreatedDate: 1_780_000_000 }
      },
    }),
  )
  return {
    url: server.url,
    requests,
    put: (id, value) => void values.set(id, value),
    setFailing: (value) => void (failing = value),
    stop: server.stop,
  }
}
