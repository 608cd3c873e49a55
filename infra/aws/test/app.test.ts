// bin/app.ts as `cdk synth` runs it: a node process that gets its context from CDK_CONTEXT_JSON
// and writes the cloud assembly to CDK_OUTDIR.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const APP_DIR = join(import.meta.dirname, '..')
let dir: string

function runApp(context: Record<string, unknown>): Promise<{ code: number, stdout: string, stderr: string }> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    CDK_CONTEXT_JSON: JSON.stringify(context),
    CDK_OUTDIR: join(dir, 'cdk.out'),
    CDK_VALIDATION: 'false',
    INIT_CWD: dir,
  }
  return promisify(execFile)(process.execPath, ['bin/app.ts'], { cwd: APP_DIR, env })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: { code: number, stdout: string, stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }))
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-app-'))
  mkdirSync(join(dir, 'asset'))
  writeFileSync(join(dir, 'asset/index.mjs'), 'export const handler = async () => {}\n')
  writeFileSync(join(dir, 'config.json'), '{ "images": [] }\n')
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bin/app.ts', () => {
  it('synthesizes the named stack, with paths taken from where npm was started', async () => {
    const result = await runApp({ lambdaAsset: 'asset', config: 'config.json', stackName: 'Hooks' })
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' })
    const template = JSON.parse(readFileSync(join(dir, 'cdk.out/Hooks.template.json'), 'utf8'))
    expect(template.Description).toBe('manifest-hook: registry push webhooks in, multi-arch image index out')
    const [fn] = Object.values(template.Resources as Record<string, { Type: string, Properties: { Environment: unknown } }>).filter((r) => r.Type === 'AWS::Lambda::Function')
    expect(fn?.Properties.Environment).toEqual({
      Variables: { MANIFEST_HOOK_TABLE: { Ref: 'State1C20CC9A' }, MANIFEST_HOOK_SECRET_ID: 'manifest-hook', MANIFEST_HOOK_CONFIG: '{"images":[]}' },
    })
  })

  it('stops on bad options with every problem listed and no stack trace', async () => {
    const result = await runApp({ lambdaAsset: 'missing', alarmTopicArn: 'ops' })
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'invalid configuration:',
        `  lambdaAsset: ${join(dir, 'missing/index.mjs')} does not exist (run \`npm run build\` first, or pass -c lambdaAsset=DIR)`,
        '  alarmTopicArn: "ops" is not an ARN',
        '',
      ].join('\n'),
    })
  })
})
