/**
 * runWorkItem: the one dispatcher from a work item to the pipeline. Every runtime calls it, with
 * the item parsed (work-item.ts) and deps built for the call. An item about an image that is no
 * longer configured is dropped with a warning: its work went with the configuration.
 */
import type { Deps } from '../deps.ts'
import { runNotifyItem } from './notify.ts'
import { processVersion } from './process-version.ts'
import { recoverWaiting } from './recover-waiting.ts'
import { fanOutSweep, runScheduledSweep, startSweep, sweepImageSlice } from './scheduled-sweep.ts'
import type { WorkItem } from './work-item.ts'

/** Runs `item`; registry failures are recorded in the ledger and retried by the sweep, not thrown. */
export async function runWorkItem(deps: Deps, item: WorkItem): Promise<void> {
  if (item.kind === 'notify') return runNotifyItem(deps, item)
  const image = item.image === undefined ? undefined : deps.catalog.image(item.image)
  if (item.image !== undefined && !image) {
    deps.log.warn('work item names an image that is not configured; dropped', { kind: item.kind, image: item.image })
    return
  }
  switch (item.kind) {
    case 'process':
      if (image) await processVersion(deps, image, item.version)
      return
    case 'recover':
      if (image) await recoverWaiting(deps, image, item.skip ?? [])
      return
    case 'sweep': {
      const { full, after } = item
      if (image) await sweepImageSlice(deps, image, { full: full ?? true, discover: item.discover ?? false, ...(after === undefined ? {} : { after }) })
      else if (after !== undefined) await fanOutSweep(deps, { full: full ?? true, after })
      else await (full === undefined ? runScheduledSweep(deps) : startSweep(deps, full))
      return
    }
  }
}
