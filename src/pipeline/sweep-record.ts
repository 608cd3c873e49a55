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

/** A scheduled sweep as it started: its per-image items report in the log, not here. */
export interface ScheduledSweep {
  at: string
  full: boolean
  /** Where its tag listings started in the image list (see sweep-discovery.ts). */
  discoveryStart: number
}

/** The stored record. */
export interface SweepRecord {
  /** The last sweep run in one call (POST /reconcile). */
  last?: SweepReport & { at: string }
  /** The last scheduled sweep (fanned out as per-image work items). */
  scheduled?: ScheduledSweep
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
      return { ...record, last: { ...report, at }, ...(lastFullAt ? { lastFullAt } : {}), ...(cursor !== undefined ? { discoveryCursor: cursor } : {}) }
    })
  } catch (error) {
    deps.log.warn('could not record the sweep', { error })
  }
}

/** Records the start of a scheduled sweep (and moves the discovery cursor); throws, since the sweep's items depend on it. */
export async function recordScheduledSweep(deps: Deps, scheduled: ScheduledSweep, discoveryCursor: number | undefined): Promise<void> {
  await updateState<SweepRecord>(deps.store, SWEEP_KEY, (record) => ({
    ...record,
    scheduled,
    ...(scheduled.full ? { lastFullAt: scheduled.at } : {}),
    ...(discoveryCursor !== undefined ? { discoveryCursor } : {}),
  }))
}
