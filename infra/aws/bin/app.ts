// The CDK app: `npx cdk synth` / `npx cdk deploy` in infra/aws (or `npm run synth:aws` /
// `npm run deploy:aws` at the root). Node 22 runs this file as is (type stripping).
import { App } from 'aws-cdk-lib'
import { ConfigError } from '../../../src/errors.ts'
import { parseDeployOptions, type DeployOptions } from '../lib/deploy-options.ts'
import { ManifestHookStack } from '../lib/manifest-hook-stack.ts'

const app = new App()
const context = Object.fromEntries(
  ['lambdaAsset', 'config', 'secretName', 'existingSecret', 'alarmTopicArn'].map((key) => [key, app.node.tryGetContext(key)]),
)
let options: DeployOptions
try {
  // Relative paths are taken from where `npm run` was started (INIT_CWD), else from here.
  options = parseDeployOptions(context, process.env, process.env['INIT_CWD'] ?? process.cwd())
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(1)
}
new ManifestHookStack(app, app.node.tryGetContext('stackName') ?? 'ManifestHook', {
  options,
  description: 'manifest-hook: registry push webhooks in, multi-arch image index out',
})
