// The Lambda bundle's figures (issue 14): its sizes (the main chunk a cold start loads, against
// the 150 KB target, and with the chunks it imports statically; the SDK, the registry client,
// the work dispatcher and the status page in lazy chunks), the cold start (a fresh node process imports
// dist/lambda/index.mjs and answers its first Function URL request, median of 15, target 160 ms),
// and the peak RSS of the handler processes through the end-to-end scenario (registry webhooks ->
// Function URL -> dynalite state -> hand-offs in fresh processes -> index published; target
// 128 MB, Lambda's smallest memory size). Skipped (with a note) without dist/lambda or docker-registry.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Metafile } from 'esbuild'
import { findStaticChunks } from '../scripts/static-chunks.ts'
import { startLambdaStack } from '../test/support/aws/lambda-stack.ts'
import { getFreePort } from '../test/support/free-port.ts'
import { startRegistry } from '../test/support/registry-server.ts'
import { hasTool } from '../test/support/tools.ts'
import { stageImage } from './http-push.ts'
import { median } from './report.ts'

export const LAMBDA_BUNDLE = 'dist/lambda/index.mjs'
/** Written by scripts/build.mjs: which chunks the entry imports statically. */
export const LAMBDA_META = 'dist/lambda-meta.json'

export interface LambdaFigures {
  sizes?: { mainBytes: number; staticBytes: number; lazyBytes: number; chunks: number }
  /** Medians; `emptyProcessMs`: the same measure for a script that imports nothing (node's own start, and the machine's load). */
  coldStart?: { runs: number; importMs: number; firstRequestMs: number; fastestFirstRequestMs: number; emptyProcessMs: number }
  memory?: { peakRssBytes: number; environments: number; invocations: number } | { note: string }
  note?: string
}

/** Measures what exists; `runs` cold starts. */
export async function runLambdaBench(runs: number): Promise<LambdaFigures> {
  if (!existsSync(LAMBDA_BUNDLE) || !existsSync(LAMBDA_META)) return { note: `${LAMBDA_BUNDLE} not built` }
  return { sizes: readSizes(), coldStart: await measureColdStart(runs), memory: process.env.BENCH_LAMBDA_SCENARIO === '0' ? { note: 'skipped (BENCH_LAMBDA_SCENARIO=0)' } : await measureScenario() }
}

// The main chunk plus what it imports statically is what every cold start loads; the rest is lazy.
function readSizes(): NonNullable<LambdaFigures['sizes']> {
  const { outputs } = JSON.parse(readFileSync(LAMBDA_META, 'utf8')) as Metafile
  const chunks = Object.keys(outputs).filter((path) => path.endsWith('.mjs'))
  // Lazy chunks have an entryPoint too (the module they were split at); the function's is index.mjs.
  const entry = chunks.find((path) => path.endsWith('/index.mjs')) ?? ''
  const loaded = new Set(findStaticChunks(outputs, entry))
  const bytes = (paths: string[]) => paths.reduce((sum, path) => sum + (outputs[path]?.bytes ?? 0), 0)
  return { mainBytes: outputs[entry]?.bytes ?? 0, staticBytes: bytes([...loaded]), lazyBytes: bytes(chunks.filter((path) => !loaded.has(path))), chunks: chunks.length }
}

// The first request is GET /healthz as a Function URL delivers it; performance.now() counts from process start.
const COLD_START_SCRIPT = `
const started = performance.now()
const { handler } = await import(process.argv[1])
const imported = performance.now()
const http = { method: 'GET', path: '/healthz', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }
const event = { version: '2.0', routeKey: '$default', rawPath: '/healthz', rawQueryString: '', headers: { host: 'bench.lambda-url.eu-west-1.on.aws' }, requestContext: { http, domainName: 'bench.lambda-url.eu-west-1.on.aws', requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, accountId: 'anonymous', apiId: 'bench', domainPrefix: 'bench' }, isBase64Encoded: false }
const result = await handler(event, { getRemainingTimeInMillis: () => 30_000, functionName: 'manifest-hook' })
if (result.statusCode !== 200) throw new Error('status ' + result.statusCode)
console.log(JSON.stringify({ importMs: imported, firstRequestMs: performance.now(), before: started }))
`

async function measureColdStart(runs: number): Promise<NonNullable<LambdaFigures['coldStart']>> {
  const imports: number[] = []
  const firsts: number[] = []
  const empties: number[] = []
  const config = JSON.stringify({ sources: { distribution: { token: 'bench' } }, images: [{ target: 'registry.example/demo/app', from: 'registry.example/demo/app-{arch}:{version}', platforms: ['linux/amd64', 'linux/arm64'] }] })
  for (let i = 0; i < runs; i++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', COLD_START_SCRIPT, resolve(LAMBDA_BUNDLE)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { PATH: process.env.PATH ?? '', MANIFEST_HOOK_CONFIG: config, MANIFEST_HOOK_TABLE: 'bench', AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'manifest-hook', MANIFEST_HOOK_LOG_LEVEL: 'warn' },
    })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
    const code = await new Promise((resolveExit) => child.once('exit', resolveExit))
    if (code !== 0) throw new Error(`cold start run exited with ${code}: ${output}`)
    const figures = JSON.parse(output) as { importMs: number; firstRequestMs: number }
    imports.push(figures.importMs)
    firsts.push(figures.firstRequestMs)
    empties.push(await timeEmptyProcess())
  }
  return { runs, importMs: median(imports), firstRequestMs: median(firsts), fastestFirstRequestMs: Math.min(...firsts), emptyProcessMs: median(empties) }
}

async function timeEmptyProcess(): Promise<number> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', 'console.log(performance.now())'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
  await new Promise((resolveExit) => child.once('exit', resolveExit))
  return Number(output)
}

const ARCHES = ['linux/amd64', 'linux/arm64', 'linux/arm/v7']

async function measureScenario(): Promise<NonNullable<LambdaFigures['memory']>> {
  if (!hasTool('docker-registry')) return { note: 'docker-registry not installed' }
  const port = await getFreePort()
  const host = `127.0.0.1:${port}`
  const config = {
    registries: { [host]: { insecure: true } },
    sources: { distribution: { token: 'bench-token' } },
    images: [{ target: `${host}/demo/app`, from: `${host}/demo/app-{arch}:{version}`, platforms: ARCHES }],
  }
  const stack = await startLambdaStack({ bundle: resolve(LAMBDA_BUNDLE), config })
  const registry = await startRegistry({ port, notifications: [{ url: `${stack.url}/webhooks/distribution`, headers: { Authorization: ['Bearer bench-token'] } }] })
  try {
    for (const version of ['v1.0.0', 'v1.1.0']) {
      for (const platform of ARCHES) {
        const arch = platform.split('/').slice(1).join('')
        const push = await stageImage(`http://${host}`, `demo/app-${arch}`, version, { platform, seed: `${version}-${arch}` })
        await push()
      }
      await waitForIndex(`http://${host}`, version)
      await stack.idle()
    }
    const { peakRssBytes, environments } = stack.memory()
    return { peakRssBytes, environments, invocations: stack.lambda.invocations.length }
  } finally {
    await registry.stop()
    await stack.stop()
  }
}

async function waitForIndex(registryUrl: string, tag: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const response = await fetch(`${registryUrl}/v2/demo/app/manifests/${tag}`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.index.v1+json' } })
    if (response.ok) return
    await new Promise((resolveWait) => setTimeout(resolveWait, 100))
  }
  throw new Error(`demo/app:${tag} was not published within 60 s`)
}
