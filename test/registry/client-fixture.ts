/**
 * Shared setup of the registry-client unit tests: a client wired to fakes with an injected clock
 * and sleep, plus a recording logger and helpers to name repositories.
 */
import type { RegistryOptions } from '../../src/config.ts'
import type { RepositoryName } from '../../src/core/reference.ts'
import type { LogFields, Logger } from '../../src/log.ts'
import { Secret } from '../../src/secret.ts'
import { createRegistryClient, type HttpRegistryClient, type RegistryClientOptions } from '../../src/registry/http-client.ts'

/** A manually advanced millisecond clock. */
export interface TestClock {
  now: () => number
  advance(ms: number): void
}

/** Creates a clock starting at a fixed instant. */
export function createClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let time = start
  return { now: () => time, advance: (ms) => void (time += ms) }
}

/** A logger that keeps every line (to check that no secret is ever logged). */
export function createRecordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const record = (level: string) => (message: string, fields: LogFields = {}) =>
    void lines.push(JSON.stringify({ level, message, ...fields }))
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
}

/** Registry options with optional credentials. */
export function registryOptions(extra: Partial<Omit<RegistryOptions, 'username' | 'password'>> & { username?: string; password?: string } = {}): RegistryOptions {
  const { username, password, ...rest } = extra
  return {
    insecure: true,
    tokenRealms: [],
    ...rest,
    ...(username ? { username: new Secret(username) } : {}),
    ...(password ? { password: new Secret(password) } : {}),
  }
}

/** A client over `fetch` with an injected clock and a sleep that advances it. */
export function createTestClient(
  fetch: typeof globalThis.fetch,
  registries: Record<string, RegistryOptions>,
  overrides: Partial<RegistryClientOptions> = {},
  clock: TestClock = createClock(),
): { client: HttpRegistryClient; clock: TestClock; sleeps: number[]; log: ReturnType<typeof createRecordingLogger> } {
  const sleeps: number[] = []
  const log = createRecordingLogger()
  const client = createRegistryClient({
    fetch,
    registries,
    log,
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock.advance(ms)
    },
    ...overrides,
  })
  return { client, clock, sleeps, log }
}

/** Names a repository on `registry`. */
export function repo(registry: string, repository: string): RepositoryName {
  return { registry, repository }
}
