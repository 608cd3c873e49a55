/**
 * What a deployment varies, read from CDK context (`cdk deploy -c key=value` or cdk.json) with
 * environment fallbacks for CI. Everything is checked at synth time, so a bad option stops
 * `cdk synth` with every problem listed instead of failing in AWS later.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError } from '../../../src/errors.ts'
import { findEcrRepositories, type EcrRepositoryAccess } from './ecr-repositories.ts'

export interface DeployOptions {
  /** Directory deployed as the function's code; holds `index.mjs` exporting `handler`. */
  assetDir: string
  /** The manifest-hook config, minified, for `MANIFEST_HOOK_CONFIG`; absent: none is set. */
  configJson?: string
  /** ECR repositories the config names (the role may pull/push these only). */
  ecr: EcrRepositoryAccess
  /** Name of the Secrets Manager secret that holds the registry and webhook credentials. */
  secretName: string
  /** true: the stack creates the secret (holding `{}`); false: it exists already. */
  createSecret: boolean
  /** SNS topic that the alarms notify; absent: the alarms only change state. */
  alarmTopicArn?: string
}

/** The repository root, whose `npm run build` writes dist/lambda/. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../..')

// Lambda allows 4 KB for all environment variables together: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
const MAX_CONFIG_BYTES = 3_584

/**
 * Context keys: `lambdaAsset` (default dist/lambda; env MANIFEST_HOOK_LAMBDA_ASSET), `config`
 * (a manifest-hook JSON file; env MANIFEST_HOOK_CONFIG_FILE), `secretName` (default
 * manifest-hook), `existingSecret` (true: reference the secret instead of creating it),
 * `alarmTopicArn`. Relative paths are taken from `cwd`.
 */
export function parseDeployOptions(context: Record<string, unknown>, env: NodeJS.ProcessEnv, cwd: string): DeployOptions {
  const issues: string[] = []
  const assetDir = resolve(cwd, text(context['lambdaAsset']) ?? env['MANIFEST_HOOK_LAMBDA_ASSET'] ?? join(REPOSITORY_ROOT, 'dist/lambda'))
  if (!existsSync(join(assetDir, 'index.mjs'))) {
    issues.push(`lambdaAsset: ${join(assetDir, 'index.mjs')} does not exist (run \`npm run build\` first, or pass -c lambdaAsset=DIR)`)
  }
  const secretName = text(context['secretName']) ?? 'manifest-hook'
  const configPath = text(context['config']) ?? env['MANIFEST_HOOK_CONFIG_FILE']
  const config = configPath === undefined ? undefined : readConfig(resolve(cwd, configPath), secretName, issues)
  const configJson = config === undefined ? undefined : JSON.stringify(config)
  if (configJson !== undefined && Buffer.byteLength(configJson) > MAX_CONFIG_BYTES) {
    issues.push(`config: ${Buffer.byteLength(configJson)} bytes minified, more than the ${MAX_CONFIG_BYTES} that fit in the function's environment beside the other variables`)
  }
  const alarmTopicArn = text(context['alarmTopicArn'])
  if (alarmTopicArn !== undefined && !alarmTopicArn.startsWith('arn:')) issues.push(`alarmTopicArn: "${alarmTopicArn}" is not an ARN`)
  if (issues.length > 0) throw new ConfigError(issues)
  return {
    assetDir,
    ...(configJson === undefined ? {} : { configJson }),
    ecr: findEcrRepositories(config),
    secretName,
    createSecret: !isTrue(context['existingSecret']),
    ...(alarmTopicArn === undefined ? {} : { alarmTopicArn }),
  }
}

function readConfig(path: string, secretName: string, issues: string[]): unknown {
  let config: unknown
  try {
    config = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    issues.push(`config: cannot read ${path} as JSON (${(error as Error).message})`)
    return undefined
  }
  // The role may read the stack's secret only; a reference to any other would fail at run time.
  for (const id of secretsManagerIds(config)) {
    if (id !== secretName) issues.push(`config: names Secrets Manager secret "${id}", but the function may read "${secretName}" only (set -c secretName=${id} or use that secret)`)
  }
  return config
}

/** Every `{"secretsManager": {"id": …}}` in the config, wherever it sits (one without `id` names the stack's secret). */
function secretsManagerIds(value: unknown): Set<string> {
  const ids = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (typeof node !== 'object' || node === null) return
    const reference = (node as Record<string, unknown>)['secretsManager']
    if (typeof reference === 'object' && reference !== null) {
      const id = (reference as Record<string, unknown>)['id']
      if (typeof id === 'string') ids.add(id)
    }
    Object.values(node).forEach(visit)
  }
  visit(value)
  return ids
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** `-c existingSecret=true` arrives as a string, cdk.json's `true` as a boolean. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true'
}
