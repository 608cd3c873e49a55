// The Lambda function end to end, on the built bundle: a real distribution registry notifies the
// Function URL emulator; state lives in dynalite; every work hand-off goes through the fake Lambda
// Invoke endpoint (the real SDK client, AWS_ENDPOINT_URL_LAMBDA) into a fresh process. Then an ECR
// push delivered as EventBridge delivers it, with credentials from the fake ECR API for a
// token-auth registry, and a version whose every webhook was lost, published by the schedule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WORK_EVENT } from '../../src/runtime/lambda/lambda-events.ts'
import { startFakeEcr, type FakeEcr } from '../support/aws/fake-ecr.ts'
import { buildLambdaBundle, startLambdaStack, type LambdaStack } from '../support/aws/lambda-stack.ts'
import { getFreePort } from '../support/free-port.ts'
import { startRegistry, type RegistryServer } from '../support/registry-server.ts'
import { pushImage, skopeoInspectRaw, type Creds } from '../support/skopeo.ts'
import { startTokenServer, type TokenServer } from '../support/token-server.ts'
import { describeWithTools } from '../support/tools.ts'

const WEBHOOK = 'lambda-webhook-token'
const ARCHES = [
  { arch: 'amd64', platform: 'linux/amd64' },
  { arch: 'arm64', platform: 'linux/arm64' },
] as const
// Lambda's smallest memory size; the handler must fit in it (issue 14).
const MAX_RSS_BYTES = 128 * 1024 * 1024
const SCHEDULED_EVENT = { version: '0', id: 'sweep-1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-12-03T08:00:00Z', region: 'eu-west-1', resources: ['arn:aws:events:eu-west-1:123456789012:rule/Sweep'], detail: {} }

async function pushArches(repository: (arch: string) => string, creds?: Creds): Promise<string[]> {
  const digests: string[] = []
  for (const { arch, platform } of ARCHES) digests.push((await pushImage(repository(arch), { platform, seed: repository(arch), ...(creds ? { creds } : {}) })).manifestDigest)
  return digests
}

async function waitFor<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await read()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

interface DistributionStack {
  host: string
  registry: RegistryServer
  stack: LambdaStack
}

// A registry whose notifications (unless `lost`) reach the Function URL, and one image `demo/<name>` on it.
async function startDistributionStack(bundle: string, name: string, options: { lost?: boolean; server?: object } = {}): Promise<DistributionStack> {
  const port = await getFreePort()
  const host = `127.0.0.1:${port}`
  const config = {
    registries: { [host]: { insecure: true } },
    sources: { distribution: { token: WEBHOOK } },
    ...(options.server ? { server: options.server } : {}),
    images: [{ target: `${host}/demo/${name}`, from: `${host}/demo/${name}-{arch}:{version}`, platforms: ARCHES.map((a) => a.platform) }],
  }
  const stack = await startLambdaStack({ bundle, config })
  const notifications = options.lost ? [] : [{ url: `${stack.url}/webhooks/distribution`, headers: { Authorization: [`Bearer ${WEBHOOK}`] } }]
  const registry = await startRegistry({ port, notifications }).catch(async (error: unknown) => {
    await stack.stop()
    throw error
  })
  return { host, registry, stack }
}

async function stopDistributionStack(running: DistributionStack | undefined): Promise<void> {
  await running?.registry.stop()
  await running?.stack.stop()
}

// The hand-offs the fake Invoke endpoint ran, in a stable order (webhooks arrive concurrently).
const handOffs = (stack: LambdaStack) =>
  stack.lambda.invocations
    .map((invocation) => ({ ...(invocation.payload as { kind: string; hop: number; item: unknown }), attempts: invocation.attempts, outcome: invocation.outcome }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

const readIndex = (ref: string, creds?: Creds) => skopeoInspectRaw(ref, creds).then((raw) => (Array.isArray(raw.json.manifests) ? raw : undefined), () => undefined)

describeWithTools(['docker-registry', 'skopeo'], 'e2e: AWS Lambda bundle behind a Function URL', () => {
  let bundle: { path: string; remove(): void }
  beforeAll(async () => {
    bundle = await buildLambdaBundle()
  }, 60_000)
  afterAll(() => bundle?.remove())

  describe('registry webhooks through the Function URL', () => {
    let running: DistributionStack
    beforeAll(async () => {
      running = await startDistributionStack(bundle.path, 'app')
    }, 60_000)
    afterAll(() => stopDistributionStack(running))

    it('publishes v1.0.2 and latest, every hand-off in a fresh process, within 128 MB', async () => {
      const { host, stack } = running
      const children = await pushArches((arch) => `${host}/demo/app-${arch}:v1.0.2`)
      const index = await waitFor('the index', () => readIndex(`${host}/demo/app:v1.0.2`))
      await stack.idle()
      expect(index.json.manifests.map((m: { digest: string }) => m.digest)).toEqual(children)
      expect((await skopeoInspectRaw(`${host}/demo/app:latest`)).digest).toBe(index.digest)
      // One webhook per arch: each hands on the version's processing, the first also a look for earlier lost webhooks.
      expect(handOffs(stack)).toEqual([
        { kind: WORK_EVENT, hop: 1, item: { kind: 'process', image: `${host}/demo/app`, version: 'v1.0.2' }, attempts: 1, outcome: 'succeeded' },
        { kind: WORK_EVENT, hop: 1, item: { kind: 'process', image: `${host}/demo/app`, version: 'v1.0.2' }, attempts: 1, outcome: 'succeeded' },
        { kind: WORK_EVENT, hop: 1, item: { kind: 'recover', image: `${host}/demo/app`, skip: ['v1.0.2'] }, attempts: 1, outcome: 'succeeded' },
      ])
      expect(stack.lambda.deadLetters).toEqual([])
      const { peakRssBytes, environments } = stack.memory()
      expect(environments).toBe(stack.functionUrl.environments.length + stack.lambda.invocations.length)
      expect(peakRssBytes).toBeLessThanOrEqual(MAX_RSS_BYTES)
    }, 90_000)
  })

  describe('ECR pushes through EventBridge, credentials from GetAuthorizationToken', () => {
    const ACCOUNT = '123456789012'
    const ECR_HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`
    const PUSHER: Creds = { username: 'ci-pusher', password: 'pusher-Pa55' }
    const ECR_PASSWORD = 'ecr-issued-password'
    let tokens: TokenServer
    let registry: RegistryServer
    let ecr: FakeEcr
    let stack: LambdaStack
    let local: string

    beforeAll(async () => {
      tokens = await startTokenServer({ users: { [PUSHER.username]: PUSHER.password, AWS: ECR_PASSWORD } })
      const port = await getFreePort()
      local = `127.0.0.1:${port}`
      registry = await startRegistry({ port, token: tokens })
      ecr = await startFakeEcr({ password: ECR_PASSWORD, proxyEndpoint: `https://${ECR_HOST}` })
      // The ECR host name is what the events carry; its endpoint is the loopback registry, whose
      // token service listens on another port (ECR's own is on the registry's host).
      const config = {
        registries: { [ECR_HOST]: { endpoint: `http://${local}`, insecure: true, tokenRealms: [tokens.realm] } },
        images: [{ target: `${ECR_HOST}/demo/ecr`, from: `${ECR_HOST}/demo/ecr-{arch}:{version}`, platforms: ARCHES.map((a) => a.platform) }],
      }
      stack = await startLambdaStack({ bundle: bundle.path, config, env: { AWS_ENDPOINT_URL_ECR: ecr.url } })
    }, 60_000)
    afterAll(async () => {
      await stack?.stop()
      await registry?.stop()
      await ecr?.stop()
      await tokens?.stop()
    })

    it('publishes from ECR Image Action events with the token the ECR API handed out', async () => {
      const children = await pushArches((arch) => `${local}/demo/ecr-${arch}:v2.0.0`, PUSHER)
      for (const [i, { arch }] of ARCHES.entries()) {
        // As EventBridge delivers it to a Lambda target: https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html
        await stack.deliverEvent({
          version: '0',
          id: `ecr-push-${arch}`,
          'detail-type': 'ECR Image Action',
          source: 'aws.ecr',
          account: ACCOUNT,
          time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          region: 'eu-west-1',
          resources: [],
          detail: { result: 'SUCCESS', 'repository-name': `demo/ecr-${arch}`, 'image-digest': children[i], 'action-type': 'PUSH', 'image-tag': 'v2.0.0' },
        })
      }
      await stack.idle()
      const index = await waitFor('the ECR index', () => readIndex(`${local}/demo/ecr:v2.0.0`, PUSHER))
      expect(index.json.manifests.map((m: { digest: string }) => m.digest)).toEqual(children)
      expect((await skopeoInspectRaw(`${local}/demo/ecr:latest`, PUSHER)).digest).toBe(index.digest)
      // Each process that talked to the registry asked for credentials once, for this account.
      const { environments } = stack.memory()
      expect(ecr.requests.length).toBeGreaterThanOrEqual(1)
      expect(ecr.requests.length).toBeLessThanOrEqual(environments)
      expect(ecr.requests).toEqual(ecr.requests.map(() => [ACCOUNT]))
      expect(tokens.requests.filter((r) => r.user === 'AWS').length).toBe(ecr.requests.length)
      expect(handOffs(stack).map((handOff) => [handOff.item, handOff.outcome])).toEqual([
        [{ kind: 'process', image: `${ECR_HOST}/demo/ecr`, version: 'v2.0.0' }, 'succeeded'],
        [{ kind: 'process', image: `${ECR_HOST}/demo/ecr`, version: 'v2.0.0' }, 'succeeded'],
        [{ kind: 'recover', image: `${ECR_HOST}/demo/ecr`, skip: ['v2.0.0'] }, 'succeeded'],
      ])
    }, 90_000)
  })

  describe('every webhook lost: the scheduled sweep', () => {
    let running: DistributionStack
    beforeAll(async () => {
      // Every sweep a full one (it lists tags); the registry notifies nobody: every webhook is lost.
      running = await startDistributionStack(bundle.path, 'lost', { lost: true, server: { reconcileIntervalSeconds: 0 } })
    }, 60_000)
    afterAll(() => stopDistributionStack(running))

    it('publishes a version no webhook announced at the next scheduled sweep', async () => {
      const { host, stack } = running
      // The first sweep lists the image's (empty) tags: the baseline that later listings compare to.
      await stack.deliverEvent(SCHEDULED_EVENT)
      await stack.idle()
      const children = await pushArches((arch) => `${host}/demo/lost-${arch}:v3.0.0`)
      expect(await readIndex(`${host}/demo/lost:v3.0.0`)).toBeUndefined()
      await stack.deliverEvent({ ...SCHEDULED_EVENT, id: 'sweep-2' })
      await stack.idle()
      const index = await waitFor('the swept index', () => readIndex(`${host}/demo/lost:v3.0.0`))
      expect(index.json.manifests.map((m: { digest: string }) => m.digest)).toEqual(children)
      expect(stack.lambda.deadLetters).toEqual([])
      expect(stack.lambda.invocations.every((invocation) => invocation.outcome === 'succeeded')).toBe(true)
    }, 90_000)
  })
})
