// The `manifest-hook` executable as users run it: bin/manifest-hook.mjs on Node, building
// dist/cli.mjs when the checkout has none (or an older one), then `serve` until SIGTERM.
import { spawn, execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import packageJson from '../../../../package.json' with { type: 'json' }

const ROOT = resolve(import.meta.dirname, '../../../..')
const BIN = join(ROOT, 'bin/manifest-hook.mjs')
const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1' }
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mh-bin-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('is the package.json bin entry and prints the version', async () => {
  expect(packageJson.bin).toEqual({ 'manifest-hook': 'bin/manifest-hook.mjs' })
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, '--version'], { cwd: dir, env })
  expect(stdout).toBe(`${packageJson.version}\n`)
  expect(stderr).toBe('')
}, 60_000)

it('serves until SIGTERM, then exits 0', async () => {
  writeFileSync(join(dir, 'manifest-hook.json'), JSON.stringify({ images: [], server: { sweepIntervalSeconds: 0 } }))
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', join(dir, 'state.db')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()))
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no banner: ${output}`)), 30_000)
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/\S+)/.exec(output)
        if (!match?.[1]) return
        clearTimeout(timer)
        done(match[1])
      })
    })
    expect(output).toContain(`config: ${join(dir, 'manifest-hook.json')} (0 image(s))`)
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true })
  } finally {
    child.kill('SIGTERM')
  }
  expect(await exited).toBe(0)
  expect(output).not.toContain('ExperimentalWarning')
}, 60_000)
