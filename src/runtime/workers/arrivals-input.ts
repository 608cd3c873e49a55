/**
 * The arrivals an image's object receives over RPC (`ImageObject.recordArrivals`): input like any
 * other, validated before anything is recorded. One call carries one image's arrivals.
 */
import * as z from 'zod/mini'
import { InvalidPayloadError } from '../../errors.ts'
import type { MatchedArrival } from '../../pipeline/ingest-delivery.ts'
import { parseValue } from '../../sources/parse-body.ts'

// Functional checks only (`.check(...)`), so the schema reads the same on zod and zod/mini.
const name = z.string().check(z.minLength(1), z.maxLength(1024))
const digest = z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/))
const instant = z.string().check(z.maxLength(64))

const arrivalsSchema = z.array(
  z.strictObject({
    image: name,
    version: name,
    platform: name,
    source: name,
    receivedAt: instant,
    hintDigest: z.optional(digest),
    // A distribution event lists at most 128 blobs (sources/distribution.ts).
    hintBlobs: z.optional(z.array(z.strictObject({ mediaType: name, digest, size: z.int().check(z.nonnegative()) })).check(z.maxLength(128))),
    eventAt: z.optional(instant),
  }),
).check(z.maxLength(1000))

/** Validates the arrivals of one RPC call; throws InvalidPayloadError when malformed or of several images. */
export function parseArrivals(input: unknown): MatchedArrival[] {
  const arrivals: MatchedArrival[] = parseValue(input, arrivalsSchema, 'arrivals')
  const images = new Set(arrivals.map((arrival) => arrival.image))
  if (images.size > 1) throw new InvalidPayloadError(`arrivals of one call must be of one image, not ${images.size}`)
  return arrivals
}
