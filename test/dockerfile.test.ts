// The server image. Its Dockerfile is checked statically (small Node 22 base, non-root user, state
// on a volume, HEALTHCHECK, the bundle alone in the runtime stage), the HEALTHCHECK command is run
// against a real server, the runtime stage's one file is shown to run without node_modules, and
// where buildah is installed the image is built and inspected.
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import packageJson from '../package.json' with { type: 'json' }
import { NODE_BUNDLE_OPTIONS } from '../scripts/bundle-options.ts'
import { parseConfig } from '../src/config.ts'
import { silentLogger } from '../src/log.ts'
import { startNodeServer } from '../src/runtime/node/node-server.ts'

const ROOT = resolve(import.meta.dirname, '..')
const exec = promisify(execFile)

/** Dockerfile instructions (continuations joined, comments dropped), split into stages. */
function readStages(): { from: string; instructions: [string, string][] }[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\s*\\\n\s*/g, ' ')
  const stages: { from: string; instructions: [string, string][] }[] = []
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [keyword = '', ...rest] = line.split(' ')
    const instruction: [string, string] = [keyword.toUpperCase(), rest.join(' ')]
    if (instruction[0] === 'FROM') stages.push({ from: instruction[1], instructions: [] })
    else stages.at(-1)?.instructions.push(instruction)
  }
  return stages
}

const stages = readStages()
const runtime = stages.at(-1)!
const all = (keyword: string) => runtime.instructions.filter(([k]) => k === keyword).map(([, v]) => v)
const one = (keyword: string) => {
  const found = all(keyword)
  expect(found, keyword).toHaveLength(1)
  return found[0] as string
}

describe('Dockerfile', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

  it('builds in one stage and runs on a small Node 22 base in another', () => {
    const arg = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1]
    expect(arg).toBe('node:22-alpine')
    expect(stages.map((s) => s.from)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE}'])
    expect(all('COPY').filter((c) => c.startsWith('--from'))).toEqual(['--from=build /src/dist/cli.mjs /src/dist/cli.mjs.LEGAL.txt ./dist/'])
    expect(stages[0]?.instructions).toContainEqual(['RUN', 'node scripts/build.mjs --quiet'])
  })

  it('runs as the unprivileged user node, with the state on the /data volume', () => {
    expect(one('USER')).toBe('node')
    const order = runtime.instructions.map(([k]) => k)
    expect(order.indexOf('USER')).toBeLessThan(order.indexOf('ENTRYPOINT'))
    expect(one('VOLUME')).toBe('["/data"]')
    expect(one('ENV')).toContain('MANIFEST_HOOK_DATA=/data/state.db')
    expect(all('RUN')).toEqual(['mkdir -p /data /config && chown node:node /data'])
    expect(one('EXPOSE')).toBe('8080')
  })

  it('serves on 0.0.0.0:8080 with the bundle and the memory flags of npm start', () => {
    const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[]
    const start = packageJson.scripts.start.split(' ').filter((arg) => arg.startsWith('--'))
    expect(entrypoint).toEqual(['node', ...start, '/app/dist/cli.mjs', 'serve'])
    expect(JSON.parse(one('CMD'))).toEqual(['--host', '0.0.0.0', '--port', '8080'])
  })

  it('has a HEALTHCHECK whose command passes while /healthz answers and fails once it does not', async () => {
    const healthcheck = one('HEALTHCHECK')
    expect(healthcheck).toMatch(/^--interval=30s --timeout=5s --start-period=10s --retries=3 CMD \[/)
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[]
    const server = await startNodeServer({ config: parseConfig({ server: { sweepIntervalSeconds: 0 } }), dataPath: ':memory:', port: 0, log: silentLogger })
    const run = () => exec(process.execPath, command.slice(1).map((arg) => arg.replace(':8080/', `:${server.port}/`))).then(() => 0, (error: { code: number }) => error.code)
    expect(command[0]).toBe('node')
    expect(await run()).toBe(0)
    await server.close()
    expect(await run()).toBe(1)
  })

  it('keeps node_modules and local state out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['node_modules', 'dist', '.git', '.manifest-hook', 'manifest-hook.json']) expect(ignored).toContain(entry)
  })

  it('needs nothing beside dist/cli.mjs, package.json and schema/ at run time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mh-image-'))
    dirs.push(dir)
    mkdirSync(join(dir, 'app/dist'), { recursive: true })
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [join(ROOT, 'src/runtime/node/cli/cli-main.ts')], outfile: join(dir, 'app/dist/cli.mjs'), legalComments: 'none', logLevel: 'error' })
    cpSync(join(ROOT, 'package.json'), join(dir, 'app/package.json'))
    cpSync(join(ROOT, 'schema'), join(dir, 'app/schema'), { recursive: true })
    const { stdout } = await exec(process.execPath, ['--disable-warning=ExperimentalWarning', join(dir, 'app/dist/cli.mjs'), '--version'], { cwd: dir })
    expect(stdout).toBe(`${packageJson.version}\n`)
  }, 30_000)

  it('builds with buildah where buildah is installed (a Debian package); otherwise the checks above stand alone', async () => {
    if (!hasBuildah()) return
    const tag = `localhost/manifest-hook-test:${process.pid}`
    await exec('buildah', ['build', '--isolation=chroot', '-t', tag, ROOT], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 })
    try {
      const { stdout } = await exec('buildah', ['inspect', '--type', 'image', tag])
      const config = JSON.parse(stdout).Docker.config
      expect(config.User).toBe('node')
      expect(Object.keys(config.Volumes)).toEqual(['/data'])
      expect(config.Healthcheck.Test[0]).toBe('CMD')
    } finally {
      await exec('buildah', ['rmi', tag]).catch(() => undefined)
    }
  }, 600_000)
})

function hasBuildah(): boolean {
  try {
    execFileSync('buildah', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
