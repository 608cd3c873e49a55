// What each source's fuzz run starts from: valid deliveries written from the fixtures (they name
// repositories no fuzz image uses) and how to authenticate a body for that source.
import { readFixture } from '../../support/fixtures.ts'
import { NOW } from '../helpers/provider-harness.ts'
import { createTestSigner, hmacSha1, hmacSha256 } from '../helpers/signing.ts'
import type { FuzzSeed, FuzzTarget } from './fuzz-harness.ts'

const seedsOf = (source: string, names: string[], extra: (body: any) => void = () => {}): FuzzSeed[] =>
  names.map((name) => {
    const captured = readFixture(source, name)[0]!
    const body = structuredClone(captured.body) as any
    extra(body)
    // Captured framing headers would not match the mutated bodies.
    const { 'content-length': _length, host: _host, ...headers } = captured.headers
    return { headers, body: JSON.stringify(body) }
  })
const header = (name: string, value: string) => async () => ({ [name]: value })
const JSON_TYPES = ['application/json']

export const harborTarget: FuzzTarget = {
  source: 'harbor',
  host: 'harbor.test',
  sources: { harbor: { secret: ['old-fuzz-secret', 'fuzz-secret'] } },
  path: '/webhooks/harbor',
  seeds: seedsOf('harbor', ['push-artifact-default.json', 'push-artifact-cloudevents.json', 'push-artifact-untagged.json', 'pull-artifact-default.json']),
  authorize: header('authorization', 'Bearer fuzz-secret'),
  contentTypes: ['application/json', 'application/cloudevents+json'],
}

export const gitHubTarget: FuzzTarget = {
  source: 'github',
  host: 'ghcr.io',
  sources: { github: { secret: 'fuzz-secret' } },
  path: '/webhooks/github',
  seeds: seedsOf('github', ['package-published-tagged.json', 'package-published-untagged.json', 'registry-package-published.json', 'ping.json']),
  authorize: async (body) => ({ 'x-hub-signature-256': `sha256=${await hmacSha256('fuzz-secret', body)}` }),
  contentTypes: JSON_TYPES,
}

export const quayTarget: FuzzTarget = {
  source: 'quay',
  host: 'quay.io',
  sources: { quay: { secret: 'fuzz-path-secret' } },
  path: '/webhooks/quay/fuzz-path-secret',
  seeds: seedsOf('quay', ['repo-push.json', 'repo-push-several-tags.json', 'repo-push-legacy.json', 'build-success.json']),
  authorize: async () => ({}),
  contentTypes: JSON_TYPES,
}

export const acrTarget: FuzzTarget = {
  source: 'acr',
  host: 'acmeregistry.azurecr.io',
  sources: { acr: { header: 'x-hook-token', secret: 'fuzz-secret' } },
  path: '/webhooks/acr',
  seeds: seedsOf('acr', ['push.json', 'push-by-digest.json', 'ping.json', 'delete.json']),
  authorize: header('x-hook-token', 'fuzz-secret'),
  contentTypes: JSON_TYPES,
}

export const ecrTarget: FuzzTarget = {
  source: 'ecr',
  host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  sources: { ecr: { header: 'x-api-key', secret: 'fuzz-secret' } },
  path: '/webhooks/ecr',
  seeds: seedsOf('ecr', ['image-push.json', 'image-push-untagged.json', 'image-delete.json']),
  authorize: header('x-api-key', 'fuzz-secret'),
  contentTypes: JSON_TYPES,
}

/** GAR needs a key pair first: the token is valid (signed once, reused), the bodies are junk. */
export async function createGarTarget(): Promise<FuzzTarget> {
  const signer = await createTestSigner('fuzz-key')
  const now = NOW.getTime() / 1000
  const audience = 'https://hooks.example.com/webhooks/gar'
  const token = await signer.sign({ iss: 'https://accounts.google.com', aud: audience, iat: now - 5, exp: now + 3595, email: 'push@p.iam.gserviceaccount.com', email_verified: true })
  return {
    source: 'gar',
    host: 'europe-docker.pkg.dev',
    sources: { gar: { audience, jwks: { keys: [signer.jwk] }, serviceAccount: 'push@p.iam.gserviceaccount.com' } },
    path: '/webhooks/gar',
    seeds: seedsOf('gar', ['insert-tagged.json', 'insert-untagged.json', 'delete.json']),
    authorize: header('authorization', `Bearer ${token}`),
    contentTypes: JSON_TYPES,
  }
}

export const artifactoryTarget: FuzzTarget = {
  source: 'artifactory',
  host: 'acme.jfrog.io',
  sources: { artifactory: { secret: 'fuzz-secret', registry: 'acme.jfrog.io' } },
  path: '/webhooks/artifactory',
  seeds: seedsOf('artifactory', ['docker-pushed.json', 'docker-deleted.json', 'artifact-deployed.json']),
  authorize: async (body) => ({ 'x-jfrog-event-auth': await hmacSha256('fuzz-secret', body) }),
  contentTypes: JSON_TYPES,
}

export const giteaTarget: FuzzTarget = {
  source: 'gitea',
  host: 'gitea.test',
  sources: { gitea: { secret: 'fuzz-secret' } },
  path: '/webhooks/gitea',
  seeds: seedsOf('gitea', ['package-created.json', 'package-created-digest.json', 'package-deleted.json', 'package-created-npm.json']),
  authorize: async (body) => ({ 'x-gitea-signature': await hmacSha256('fuzz-secret', body) }),
  contentTypes: JSON_TYPES,
}

export const zotTarget: FuzzTarget = {
  source: 'zot',
  host: 'zot.test:5000',
  sources: { zot: { username: 'zot-events', password: 'fuzz-secret', registry: 'zot.test:5000' } },
  path: '/webhooks/zot',
  seeds: seedsOf('zot', ['image-updated.json', 'image-updated-digest.json', 'image-deleted.json', 'repository-created.json']),
  authorize: header('authorization', `Basic ${btoa('zot-events:fuzz-secret')}`),
  contentTypes: ['application/json', 'application/cloudevents+json'],
}

export const nexusTarget: FuzzTarget = {
  source: 'nexus',
  host: 'nexus.test:8082',
  sources: { nexus: { secret: 'fuzz-secret', repositories: { 'docker-hosted': 'nexus.test:8082' } } },
  path: '/webhooks/nexus',
  seeds: seedsOf('nexus', ['component-created.json', 'component-updated.json', 'component-deleted.json', 'asset-created.json'], (body) => {
    body.timestamp = NOW.toISOString().replace('Z', '+0000')
  }),
  authorize: async (body) => ({ 'x-nexus-webhook-signature': await hmacSha1('fuzz-secret', body) }),
  contentTypes: JSON_TYPES,
}

export const distributionTarget: FuzzTarget = {
  source: 'distribution',
  host: '127.0.0.1:5050',
  sources: { distribution: { token: 'fuzz-token' } },
  path: '/webhooks/distribution',
  seeds: seedsOf('distribution', ['manifest-push-by-tag.json', 'index-push-oci-buildx-attestation.json', 'blob-push.json', 'manifest-push-by-digest.json']),
  authorize: header('authorization', 'Bearer fuzz-token'),
  contentTypes: ['application/vnd.docker.distribution.events.v1+json', 'application/vnd.docker.distribution.events.v2+json', 'application/json'],
}

export const dockerHubTarget: FuzzTarget = {
  source: 'dockerhub',
  host: 'docker.io',
  registryHost: 'registry-1.docker.io',
  sources: { dockerhub: { secret: 'fuzz-path-secret' } },
  path: '/webhooks/dockerhub/fuzz-path-secret',
  seeds: seedsOf('dockerhub', ['push.json']),
  authorize: async () => ({}),
  contentTypes: JSON_TYPES,
}
