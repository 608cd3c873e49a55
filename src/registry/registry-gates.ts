/**
 * Per-registry admission: at most `limit` requests waiting for an answer from one host, so that a
 * registry that stalls holds a bounded share of the work; and once a request to a host went
 * unanswered for the attempt timeout, requests to that host fail at once for as long again, so
 * that work queued behind it is released instead of waiting out its own timeouts one by one.
 */
import { RegistryError } from './errors.ts'

/** What one request to a host is told. */
export interface GateRequest {
  host: string
  method: string
  url: URL
  /** How long the request may wait for a slot (the time left of its operation). */
  waitMs: number
}

/** The gates of every host one client talks to. */
export interface RegistryGates {
  /** Waits for a slot on the host; resolves to its release. Throws RegistryError 'timeout' when the host is unresponsive or no slot frees in time. */
  enter(request: GateRequest): Promise<() => void>
  /** Records that a request to `host` got no answer within the attempt timeout. */
  markUnresponsive(host: string): void
}

interface Waiter {
  grant: () => void
  fail: (error: RegistryError) => void
  request: GateRequest
}

interface Gate {
  active: number
  waiting: Waiter[]
  unresponsiveUntil: number
}

export interface RegistryGateOptions {
  limit: number
  /** How long a host that did not answer is not asked again (the attempt timeout). */
  cooldownMs: number
  now: () => number
}

/** Creates the gates; every host starts open with `limit` free slots. */
export function createRegistryGates(options: RegistryGateOptions): RegistryGates {
  const gates = new Map<string, Gate>()
  const gateOf = (host: string) => {
    let gate = gates.get(host)
    if (!gate) gates.set(host, (gate = { active: 0, waiting: [], unresponsiveUntil: 0 }))
    return gate
  }
  const release = (gate: Gate) => {
    const next = gate.waiting.shift()
    if (next) next.grant()
    else gate.active--
  }
  const refusal = (request: GateRequest, why: string) =>
    new RegistryError({ reason: 'timeout', method: request.method, url: request.url, detail: why, temporary: true, message: `registry ${request.host} ${why}: ${request.method} ${request.url.pathname}` })
  return {
    async enter(request) {
      const gate = gateOf(request.host)
      if (options.now() < gate.unresponsiveUntil) throw refusal(request, `did not answer within ${formatSeconds(options.cooldownMs)}; not asked again for now`)
      const once = () => {
        let released = false
        return () => void (!released && ((released = true), release(gate)))
      }
      if (gate.active < options.limit) {
        gate.active++
        return once()
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          request,
          grant: () => (clearTimeout(timer), resolve(once())),
          fail: (error) => (clearTimeout(timer), reject(error)),
        }
        const timer = setTimeout(() => {
          gate.waiting.splice(gate.waiting.indexOf(waiter), 1)
          reject(refusal(request, `had ${options.limit} requests waiting for an answer for ${formatSeconds(request.waitMs)}`))
        }, request.waitMs)
        gate.waiting.push(waiter)
      })
    },
    markUnresponsive(host) {
      const gate = gateOf(host)
      gate.unresponsiveUntil = options.now() + options.cooldownMs
      for (const waiter of gate.waiting.splice(0)) waiter.fail(refusal(waiter.request, `did not answer within ${formatSeconds(options.cooldownMs)}; not asked again for now`))
    },
  }
}

/** "10 s", "0.5 s": how durations appear in error messages. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`
}
