/**
 * External tools the end-to-end tests need (docker-registry, skopeo, docker, openssl): detection,
 * the CI-fails / local-skips rule, and one `execFile` runner with timeouts and readable errors.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, it } from 'vitest'
import { AppError } from '../../src/errors.ts'

/** A binary an end-to-end test may need. */
export type Tool = 'docker-registry' | 'skopeo' | 'docker' | 'openssl' | 'chromium'

/** Debian's chromium, which playwright-core drives by path (no browser download). */
export const CHROMIUM_BIN = '/usr/bin/chromium'

/** A harness step (a tool run, a server start) failed; the message carries the tool's stderr. */
export class HarnessError extends AppError {
  readonly code = 'TEST_HARNESS' as const
}

const REGISTRY_BIN = '/usr/bin/docker-registry'
const PROBES: Record<Tool, [string, string[]]> = {
  'docker-registry': [REGISTRY_BIN, ['--version']],
  skopeo: ['skopeo', ['--version']],
  docker: ['docker', ['--version']],
  openssl: ['openssl', ['version']],
  chromium: [CHROMIUM_BIN, ['--version']],
}
const INSTALL_HINTS: Record<Tool, string> = {
  'docker-registry': 'apt-get install docker-registry',
  skopeo: 'apt-get install skopeo',
  docker: 'the docker CLI only, no daemon (apt-get install docker.io, or a static docker client on PATH)',
  openssl: 'apt-get install openssl',
  chromium: 'apt-get install chromium',
}
const found = new Map<Tool, boolean>()

/** Returns true when `tool` is installed and runs (probed once per process). */
export function hasTool(tool: Tool): boolean {
  const cached = found.get(tool)
  if (cached !== undefined) return cached
  const [bin, args] = PROBES[tool]
  const ok = (tool !== 'docker-registry' || existsSync(REGISTRY_BIN)) && probe(bin, args)
  found.set(tool, ok)
  return ok
}

function probe(bin: string, args: string[]): boolean {
  try {
    execFileSync(bin, args, { stdio: 'ignore', timeout: 10_000 })
    return true
  } catch {
    return false
  }
}

function missingTools(tools: Tool[]): Tool[] {
  return tools.filter((tool) => !hasTool(tool))
}

function isCi(): boolean {
  return process.env.CI === 'true'
}

function describeMissing(missing: Tool[]): string {
  return `missing tools: ${missing.join(', ')} (${missing.map((tool) => `${tool}: ${INSTALL_HINTS[tool]}`).join('; ')})`
}

function warnSkipped(name: string, missing: Tool[]): void {
  console.warn(`skipping "${name}": ${describeMissing(missing)}`)
}

/** `describe` when every tool is present; otherwise one failing test in CI, a warned skip elsewhere. */
export function describeWithTools(tools: Tool[], name: string, fn: () => void): void {
  const missing = missingTools(tools)
  if (missing.length === 0) return void describe(name, fn)
  if (isCi()) {
    return void describe(name, () => {
      it('has the tools it needs', () => {
        throw new HarnessError(describeMissing(missing))
      })
    })
  }
  warnSkipped(name, missing)
  describe.skip(name, fn)
}

/** `it` when every tool is present; otherwise a failing test in CI, a warned skip elsewhere. */
export function itWithTools(tools: Tool[], name: string, fn: () => Promise<void>, timeout?: number): void {
  const missing = missingTools(tools)
  if (missing.length === 0) return void it(name, fn, timeout)
  if (isCi()) {
    return void it(name, () => {
      throw new HarnessError(describeMissing(missing))
    })
  }
  warnSkipped(name, missing)
  it.skip(name, fn, timeout)
}

/** Options of one tool run. `redact` lists values (passwords) scrubbed from any error message. */
export interface RunOptions {
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  redact?: string[]
}

/** Result of a successful tool run. */
export interface RunResult {
  stdout: Buffer
  stderr: string
}

/** Runs `bin args` with execFile (no shell) and a timeout; rejects with stderr in the message. */
export function runTool(bin: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 60_000, env = process.env, redact = [] } = options
  return new Promise((resolve, reject) => {
    const opts = { timeout: timeoutMs, env, encoding: 'buffer' as const, maxBuffer: 64 * 1024 * 1024 }
    execFile(bin, args, opts, (error, stdout, stderr) => {
      const errText = stderr.toString('utf8')
      if (!error) return resolve({ stdout, stderr: errText })
      const why = error.killed ? `timed out after ${timeoutMs} ms` : `failed (${error.code ?? error.signal})`
      const message = `${bin} ${args.join(' ')} ${why}: ${errText.trim() || stdout.toString('utf8').trim()}`
      reject(new HarnessError(scrub(message, redact)))
    })
  })
}

/** Replaces every non-empty value of `secrets` in `text` with `***`. */
export function scrub(text: string, secrets: string[]): string {
  return secrets.filter(Boolean).reduce((out, secret) => out.split(secret).join('***'), text)
}
