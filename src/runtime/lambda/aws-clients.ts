/**
 * The AWS SDK clients of the Lambda runtime, each imported on first use so that the bundle's main
 * chunk stays small (esbuild --splitting puts each SDK in its own chunk) and a cold start that
 * needs none of them pays for none. Every client honours the SDK's standard endpoint variables
 * (AWS_ENDPOINT_URL_DYNAMODB, _LAMBDA, _SECRETS_MANAGER, _ECR), which is how tests reach fakes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { ECRClient } from '@aws-sdk/client-ecr'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { once } from './once.ts'

export const loadDynamoDbClient = once(async (): Promise<DynamoDBClient> => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({}))
export const loadLambdaClient = once(async (): Promise<LambdaClient> => new (await import('@aws-sdk/client-lambda')).LambdaClient({}))
export const loadSecretsManagerClient = once(async (): Promise<SecretsManagerClient> => new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient({}))

const ecrClients = new Map<string, Promise<ECRClient>>()
/** The ECR client of a region (a registry's host names its region). */
export function loadEcrClient(region: string | undefined): Promise<ECRClient> {
  const key = region ?? ''
  let found = ecrClients.get(key)
  if (!found) {
    found = import('@aws-sdk/client-ecr').then(({ ECRClient }) => new ECRClient(region ? { region } : {}))
    ecrClients.set(key, found)
  }
  return found
}

/** GetSecretValue's SecretString (undefined for a binary secret). */
export async function getSecretString(id: string): Promise<string | undefined> {
  const [client, { GetSecretValueCommand }] = await Promise.all([loadSecretsManagerClient(), import('@aws-sdk/client-secrets-manager')])
  return (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString
}

/** GetAuthorizationToken for one account's registry, asked in the registry's region. */
export async function getEcrToken(registry: { account: string; region: string }): Promise<{ authorizationToken: string; expiresAt: Date }> {
  const [client, { GetAuthorizationTokenCommand }] = await Promise.all([loadEcrClient(registry.region), import('@aws-sdk/client-ecr')])
  const data = (await client.send(new GetAuthorizationTokenCommand({ registryIds: [registry.account] }))).authorizationData?.[0]
  if (!data?.authorizationToken || !data.expiresAt) throw new Error('GetAuthorizationToken returned no token')
  return { authorizationToken: data.authorizationToken, expiresAt: data.expiresAt }
}
