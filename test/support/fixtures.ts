// Loads captured webhook requests (test/fixtures/<source>/*.json) as Deliveries.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Delivery } from '../../src/sources/source.ts'

export interface CapturedRequest {
  headers: Record<string, string>
  body: unknown
}

/** Reads one captured request (or the list of requests of a `sequence-*` file). */
export function readFixture(source: string, name: string): CapturedRequest[] {
  const path = fileURLToPath(new URL(`../fixtures/${source}/${name}`, import.meta.url))
  const json = JSON.parse(readFileSync(path, 'utf8'))
  return Array.isArray(json) ? json : Array.isArray(json.requests) ? json.requests : [json]
}

/** Builds a Delivery from a captured request, replacing or adding headers. */
export function deliveryOf(captured: CapturedRequest, headers: Record<string, string> = {}, params: Record<string, string> = {}): Delivery {
  const merged = new Headers(captured.headers)
  for (const [name, value] of Object.entries(headers)) merged.set(name, value)
  return { headers: merged, body: new TextEncoder().encode(JSON.stringify(captured.body)), params, receivedAt: '2026-11-27T19:00:00.000Z' }
}

/** Builds a Delivery from a raw body. */
export function rawDelivery(body: string | Uint8Array, headers: Record<string, string>, params: Record<string, string> = {}): Delivery {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
  return { headers: new Headers(headers), body: bytes, params, receivedAt: '2026-11-27T19:00:00.000Z' }
}
