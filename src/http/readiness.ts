/**
 * Readiness (`GET /readyz`), unlike liveness (`/healthz`): the store takes a write and the config
 * is loaded with at least one image. A load balancer or orchestrator keeps traffic away until it is.
 */
import type { Deps } from '../deps.ts'

/** Where the store's write probe lives (the global partition; it expires on its own). */
export const READINESS_KEY = 'health/ready'
const PROBE_TTL_MS = 60_000

export interface Readiness {
  ready: boolean
  store: { writable: true } | { writable: false; error: string }
  config: { loaded: boolean; images: number }
}

/** Probes the store with a conditional write and reads what the config holds. */
export async function checkReadiness(deps: Deps): Promise<Readiness> {
  const store = await probeStore(deps)
  const images = deps.config.images.length
  const config = { loaded: images > 0, images }
  return { ready: store.writable && config.loaded, store, config }
}

async function probeStore(deps: Deps): Promise<Readiness['store']> {
  try {
    const now = deps.now().getTime()
    const current = await deps.store.load(READINESS_KEY)
    const saved = await deps.store.save(READINESS_KEY, { at: new Date(now).toISOString() }, current?.version ?? 0, { expiresAt: now + PROBE_TTL_MS })
    // A conflict is a concurrent probe's write winning: the store answered a conditional write.
    if (saved.ok || saved.reason === 'conflict') return { writable: true }
    return { writable: false, error: `the store refused the probe (${saved.reason})` }
  } catch (error) {
    return { writable: false, error: error instanceof Error ? error.message : String(error) }
  }
}
