// `npm run demo` as a process: with docker-registry and skopeo it shows the index appear and leaves
// nothing running; without skopeo it says what to install.
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import packageJson from '../package.json' with { type: 'json' }
import { itWithTools } from './support/tools.ts'

const ROOT = resolve(import.meta.dirname, '..')
const exec = promisify(execFile)
const args = [...packageJson.scripts.demo.split(' ').slice(1)]

it('is `npm run demo`', () => {
  expect(packageJson.scripts.demo).toBe('node --disable-warning=ExperimentalWarning scripts/demo.ts')
})

it('says what to install when skopeo is missing, and exits 1', async () => {
  const failed = await exec(process.execPath, args, { cwd: ROOT, env: { PATH: '/nonexistent', NO_COLOR: '1' } }).then(() => undefined, (error: { code: number; stdout: string }) => error)
  expect(failed?.code).toBe(1)
  expect(failed?.stdout).toBe('missing: skopeo.\ninstall with: sudo apt-get install skopeo   (Debian/Ubuntu; the packaged registry service need not run)\n')
})

itWithTools(['docker-registry', 'skopeo'], 'publishes three platforms and latest, then stops everything', async () => {
  const { stdout, stderr } = await exec(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 })
  expect(stderr).toBe('')
  const registry = /^registry {6}(http:\/\/127\.0\.0\.1:\d+) /m.exec(stdout)?.[1]
  const image = `${registry?.slice('http://'.length)}/demo/app`
  expect(stdout.match(/^skopeo pushed /gm)).toHaveLength(3)
  expect(stdout).toContain(`${image}  (latest -> v1.0.0)\n  VERSION  STATE      linux/amd64  linux/arm64  linux/arm/v7\n  v1.0.0   published  ok           ok           ok\n`)
  const digests = [...stdout.matchAll(new RegExp(`^${image}:(v1\\.0\\.0|latest) (sha256:[0-9a-f]{64})\\n  linux/amd64, linux/arm64, linux/arm/v7$`, 'gm'))]
  expect(digests.map((m) => m[1])).toEqual(['v1.0.0', 'latest'])
  expect(digests[0]?.[2]).toBe(digests[1]?.[2])
  expect(stdout.trimEnd().split('\n').at(-1)).toBe('done: one index, three platforms, latest moved; stopping and removing everything.')
  await expect(fetch(`${registry}/v2/`)).rejects.toThrow()
}, 60_000)
