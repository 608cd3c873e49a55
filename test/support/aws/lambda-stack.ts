/**
 * The Lambda function on this machine, as the AWS services around it would run it: the built
 * bundle (LAMBDA_BUNDLE_OPTIONS into a private folder, like scripts/build.mjs) behind a Function
 * URL emulator, state in dynalite, every async self-invocation through the fake Lambda Invoke
 * endpoint into a fresh process, EventBridge deliveries (ECR events, the schedule) into fresh
 * processes too, and optional Secrets Manager / ECR fakes reached through AWS_ENDPOINT_URL_*.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { LAMBDA_BUNDLE_OPTIONS } from '../../../scripts/bundle-options.ts'
import { startDynalite, type Dynalite } from './dynalite.ts'
import { startFakeLambda, type FakeLambda } from './fake-lambda.ts'
import { startFunctionUrl, type FunctionUrl } from './function-url.ts'
import { startLambdaEnvironment, type LambdaEnvironment } from './lambda-environment.ts'
import { findRoot } from './repo-root.ts'

export const FUNCTION_NAME = 'manifest-hook'
const TABLE = 'manifest-hook-state'

/** Bundles src/runtime/lambda/index.ts into dist/test-bundles/lambda-<id>/ (parallel test files never share a half-written folder). */
export async function buildLambdaBundle(): Promise<{ path: string; remove(): void }> {
  const root = findRoot(import.meta.dirname)
  const dir = join(root, 'dist', 'test-bundles', `lambda-${process.pid}-${randomBytes(4).toString('hex')}`)
  mkdirSync(dir, { recursive: true })
  await build({ ...LAMBDA_BUNDLE_OPTIONS, absWorkingDir: root, outdir: dir, legalComments: 'none', logLevel: 'error' })
  return { path: join(dir, 'index.mjs'), remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface LambdaStack {
  /** The Function URL. */
  url: string
  lambda: FakeLambda
  functionUrl: FunctionUrl
  dynalite: Dynalite
  /** Every log line of every environment, in arrival order. */
  logs: string[]
  /** Delivers an EventBridge event (ECR push, schedule) as its own invocation in a fresh environment. */
  deliverEvent(event: unknown): Promise<void>
  /** Waits until no hand-off is pending. */
  idle(): Promise<void>
  /** The highest peak RSS of any environment so far, and how many environments ran. */
  memory(): { peakRssBytes: number; environments: number }
  stop(): Promise<void>
}

export interface LambdaStackOptions {
  bundle: string
  /** The config JSON (MANIFEST_HOOK_CONFIG). */
  config: unknown
  /** More environment variables (the Secrets Manager / ECR endpoints, a secret TTL). */
  env?: Record<string, string>
}

/** Starts dynalite with the table, the fake Invoke endpoint and the Function URL. */
export async function startLambdaStack(options: LambdaStackOptions): Promise<LambdaStack> {
  const dynalite = await startDynalite()
  await dynalite.createTable(TABLE)
  const logs: string[] = []
  const finished: number[] = []
  let lambda: FakeLambda | undefined
  const start = () =>
    startLambdaEnvironment({
      bundle: options.bundle,
      onLog: (line) => logs.push(line),
      env: {
        MANIFEST_HOOK_CONFIG: JSON.stringify(options.config),
        MANIFEST_HOOK_TABLE: TABLE,
        AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
        AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
        AWS_ENDPOINT_URL_LAMBDA: lambda?.url ?? '',
        ...options.env,
      },
    })
  // One invocation in a fresh environment (a cold start each time), stopped afterwards.
  const runFresh = async (event: unknown) => {
    const environment: LambdaEnvironment = await start()
    try {
      await environment.invoke(event)
    } finally {
      finished.push(environment.peakRssBytes())
      await environment.stop()
    }
  }
  lambda = await startFakeLambda({ functionName: FUNCTION_NAME, run: runFresh })
  const functionUrl = await startFunctionUrl(start)
  return {
    url: functionUrl.url,
    lambda,
    functionUrl,
    dynalite,
    logs,
    deliverEvent: runFresh,
    idle: () => (lambda as FakeLambda).idle(),
    memory: () => {
      const peaks = [...finished, ...functionUrl.environments.map((environment) => environment.peakRssBytes())]
      return { peakRssBytes: Math.max(0, ...peaks), environments: peaks.length }
    },
    async stop() {
      await functionUrl.stop()
      await lambda?.idle()
      await lambda?.stop()
      await dynalite.stop()
    },
  }
}
