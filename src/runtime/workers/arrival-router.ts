/**
 * Where the Worker records a webhook's arrivals: each image's arrivals go to that image's object
 * in one RPC call (`recordArrivals`), the calls for different images in parallel. The object
 * records them in its own storage and queues their work in that call, so everything for one
 * image runs one call at a time. The webhook is answered once every call has settled.
 */
import type { ArrivalRecorder } from '../../deps.ts'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import type { IngestReport, MatchedArrival } from '../../pipeline/ingest-delivery.ts'

/** An image's object did not store its arrivals (HTTP 503: the sender retries; recording again is idempotent). */
export class ArrivalsNotStoredError extends AppError {
  readonly code = 'ARRIVALS_NOT_STORED' as const
  readonly temporary = true
}

/** The RPC method the router calls on an image's object. */
export interface ArrivalObject {
  recordArrivals(arrivals: MatchedArrival[]): Promise<IngestReport['accepted']>
}

/** Creates the recorder; `objectFor(image)` returns the image's object. */
export function createArrivalRouter(objectFor: (image: string) => ArrivalObject, log: Logger): ArrivalRecorder {
  return {
    async record(arrivals) {
      const byImage = new Map<string, number[]>()
      arrivals.forEach((arrival, i) => byImage.set(arrival.image, [...(byImage.get(arrival.image) ?? []), i]))
      const accepted: IngestReport['accepted'] = []
      const calls = [...byImage].map(async ([image, indexes]) => {
        const entries = await objectFor(image).recordArrivals(indexes.map((i) => arrivals[i]!))
        entries.forEach((entry, j) => (accepted[indexes[j]!] = entry))
      })
      const failed = (await Promise.allSettled(calls)).flatMap((result, i) => (result.status === 'rejected' ? [{ image: [...byImage.keys()][i]!, error: result.reason }] : []))
      for (const { image, error } of failed) log.error('image object did not store its arrivals; the webhook is answered 503', { image, error })
      if (failed.length > 0) throw new ArrivalsNotStoredError(`arrivals of ${failed.map((f) => f.image).join(', ')} were not stored; retry the delivery`)
      return accepted
    },
  }
}
