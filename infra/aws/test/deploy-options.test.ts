import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.ts'
import { parseDeployOptions, REPOSITORY_ROOT } from '../lib/deploy-options.ts'

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-options-'))
  mkdirSync(join(dir, 'asset'))
  writeFileSync(join(dir, 'asset/index.mjs'), 'export const handler = async () => {}\n')
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    registries: { [ECR]: {} },
    sources: { github: { secret: { secretsManager: { id: 'manifest-hook', key: 'githubWebhook' } } } },
    images: [{ target: `${ECR}/org/app`, from: `${ECR}/org/app:{version}-{arch}`, platforms: ['linux/amd64'] }],
  }, null, 2))
  writeFileSync(join(dir, 'other-secret.json'), JSON.stringify({ registries: { 'ghcr.io': { password: { secretsManager: { id: 'elsewhere', key: 'k' } } } } }))
  writeFileSync(join(dir, 'key-only.json'), JSON.stringify({ sources: { github: { secret: { secretsManager: { key: 'githubWebhook' } } } } }))
  writeFileSync(join(dir, 'huge.json'), JSON.stringify({ images: [], padding: 'x'.repeat(3_600) }))
  writeFileSync(join(dir, 'broken.json'), '{ "images": ')
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parseDeployOptions', () => {
  it('defaults: dist/lambda of the repository, a created secret named manifest-hook, no config, no ECR access', () => {
    const options = parseDeployOptions({}, { MANIFEST_HOOK_LAMBDA_ASSET: 'asset' }, dir)
    expect(options).toEqual({ assetDir: join(dir, 'asset'), ecr: { pull: [], push: [] }, secretName: 'manifest-hook', createSecret: true })
    expect(() => parseDeployOptions({}, { MANIFEST_HOOK_LAMBDA_ASSET: 'no-such-dir' }, dir)).toThrow(`lambdaAsset: ${join(dir, 'no-such-dir/index.mjs')} does not exist`)
    // Without either, the repository's dist/lambda: present once `npm run build` (or the Lambda e2e test) ran.
    const built = join(REPOSITORY_ROOT, 'dist/lambda')
    if (existsSync(join(built, 'index.mjs'))) expect(parseDeployOptions({}, {}, dir).assetDir).toBe(built)
    else expect(() => parseDeployOptions({}, {}, dir)).toThrow(`lambdaAsset: ${join(built, 'index.mjs')} does not exist`)
  })

  it('reads the config relative to cwd, minifies it and derives the ECR repositories', () => {
    const options = parseDeployOptions({ lambdaAsset: 'asset', config: 'config.json', existingSecret: 'true', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' }, {}, dir)
    expect(options).toEqual({
      assetDir: join(dir, 'asset'),
      configJson: JSON.stringify({
        registries: { [ECR]: {} },
        sources: { github: { secret: { secretsManager: { id: 'manifest-hook', key: 'githubWebhook' } } } },
        images: [{ target: `${ECR}/org/app`, from: `${ECR}/org/app:{version}-{arch}`, platforms: ['linux/amd64'] }],
      }),
      ecr: { pull: [], push: ['arn:aws:ecr:eu-west-1:123456789012:repository/org/app'] },
      secretName: 'manifest-hook',
      createSecret: false,
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
    })
    expect(parseDeployOptions({ lambdaAsset: 'asset', existingSecret: true }, { MANIFEST_HOOK_CONFIG_FILE: 'config.json' }, dir).createSecret).toBe(false)
  })

  it('accepts references without id whatever the secret is named (the function reads MANIFEST_HOOK_SECRET_ID)', () => {
    const options = parseDeployOptions({ lambdaAsset: 'asset', config: 'key-only.json', secretName: 'team-a-hook' }, {}, dir)
    expect(options.secretName).toBe('team-a-hook')
    expect(options.configJson).toBe('{"sources":{"github":{"secret":{"secretsManager":{"key":"githubWebhook"}}}}}')
  })

  it('lists every problem in one ConfigError', () => {
    const attempt = (context: Record<string, unknown>): ConfigError => {
      try {
        parseDeployOptions(context, {}, dir)
      } catch (error) {
        if (error instanceof ConfigError) return error
      }
      throw new Error('expected a ConfigError')
    }
    expect(attempt({ lambdaAsset: 'missing', config: 'other-secret.json', alarmTopicArn: 'ops' }).issues).toEqual([
      `lambdaAsset: ${join(dir, 'missing/index.mjs')} does not exist (run \`npm run build\` first, or pass -c lambdaAsset=DIR)`,
      'config: names Secrets Manager secret "elsewhere", but the function may read "manifest-hook" only (set -c secretName=elsewhere or use that secret)',
      'alarmTopicArn: "ops" is not an ARN',
    ])
    expect(attempt({ lambdaAsset: 'asset', config: 'huge.json' }).issues).toEqual([
      'config: 3626 bytes minified, more than the 3584 that fit in the function\'s environment beside the other variables',
    ])
    const broken = attempt({ lambdaAsset: 'asset', config: 'broken.json' }).issues
    expect(broken).toHaveLength(1)
    expect(broken[0]).toMatch(/^config: cannot read .*broken\.json as JSON \(/)
    expect(parseDeployOptions({ lambdaAsset: 'asset', config: 'other-secret.json', secretName: 'elsewhere' }, {}, dir).secretName).toBe('elsewhere')
  })
})
