/**
 * What the state store keeps of sweeps: the last one's report and when the last full one ran. The
 * periodic sweep takes its pace from it (across restarts and serverless instances); GET /status
 * shows it.
 */
import type { Deps } from '../deps.ts'
import { SWEEP_KEY } from '../state/store.ts'
import { updateState } from '../state/update-state.ts'

/** What one sweep did. */
export interface SweepReport {
  full: boolean
  /** Versions found by listing tags that no webhook announced (full sweeps). */
  versionsDiscovered: number
  versionsChecked: number
  versionsProcessed: number
  referrersCopied: number
  failures: number
}

/** The stored record. */
export interface SweepRecord {
  last: SweepReport & { at: string }
  lastFullAt?: string
  /** Where in the image list the next full sweep's tag listings start (see sweep-discovery.ts). */
  discoveryCursor?: number
}

/** Loads the record; undefined before the first sweep. */
export async function loadSweepRecord(deps: Deps): Promise<SweepRecord | undefined> {
  return (await deps.store.load(SWEEP_KEY))?.value as SweepRecord | undefined
}

/** Records a sweep that started at `at` (and the next discovery cursor, if it moved); never throws (the next sweep is then simply full). */
export async function recordSweep(deps: Deps, report: SweepReport, at: string, discoveryCursor?: number): Promise<void> {
  try {
    await updateState<SweepRecord>(deps.store, SWEEP_KEY, (record) => {
      const lastFullAt = report.full ? at : record?.lastFullAt
      const cursor = discoveryCursor ?? record?.discoveryCursor
      return { last: { ...report, at }, ...(lastFullAt ? { lastFullAt } : {}), ...(cursor !== undefined ? { discoveryCursor: cursor } : {}) }
    })
  } catch (error) {
    deps.log.warn('could not record the sweep', { error })
  }
}
