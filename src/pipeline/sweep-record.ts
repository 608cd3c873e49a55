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
}

/** Loads the record; undefined before the first sweep. */
export async function loadSweepRecord(deps: Deps): Promise<SweepRecord | undefined> {
  return (await deps.store.load(SWEEP_KEY))?.value as SweepRecord | undefined
}

/** Records a sweep that started at `at`; never throws (the next sweep is then simply full). */
export async function recordSweep(deps: Deps, report: SweepReport, at: string): Promise<void> {
  try {
    await updateState<SweepRecord>(deps.store, SWEEP_KEY, (record) => ({
      last: { ...report, at },
      ...(report.full ? { lastFullAt: at } : record?.lastFullAt ? { lastFullAt: record.lastFullAt } : {}),
    }))
  } catch (error) {
    deps.log.warn('could not record the sweep', { error })
  }
}
