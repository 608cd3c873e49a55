/**
 * Webhook ingestion: verify, parse, match each pushed tag to image/platform/version, and record
 * the arrival durably. Registry work happens afterwards (work items), so a registry's delivery queue
 * is never held up by our publishing. Events the platform already authenticated (ECR events that
 * EventBridge delivers straight to a Lambda) skip the verification only: `ingestTrusted`.
 * Matching yields plain-JSON arrivals; `recordArrivals` records them, in the webhook's own call
 * unless the runtime records elsewhere (`deps.arrivals`: on Workers, in the image's object).
 */
import type { ImageConfig } from '../config.ts'
import type { SourceMatch } from '../core/catalog.ts'
import type { Deps } from '../deps.ts'
import { NotFoundError } from '../errors.ts'
import type { Delivery, Source, SourceEvent } from '../sources/source.ts'
import { findSource } from '../sources/source-table.ts'
import { versionKey } from '../state/store.ts'
import { recordPush, type PushHints } from './record-push.ts'

/** What happened to each event of a delivery (the webhook's response body). */
export interface IngestReport {
  accepted: { image: string; version: string; platform: string; source: string; duplicate: boolean }[]
  ignored: { reason: string; repository?: string; tag?: string }[]
}

/** Verifies and records one delivery, then enqueues processing of every version it touched. */
export async function ingestDelivery<O>(deps: Deps, source: Source<O>, options: O, delivery: Delivery): Promise<IngestReport> {
  await source.verify(delivery, options)
  return ingestVerified(deps, source, options, delivery)
}

/** What a trusted event may say beyond its body (the body is JSON: content type application/json by default). */
export interface TrustedEventOptions {
  headers?: HeadersInit
  receivedAt?: string
}

/**
 * Records an event that the platform authenticated (no secret is checked) through the same
 * parsing, matching and recording as a webhook. `body`: bytes, a string, or a value sent as JSON
 * (an EventBridge event as Lambda receives it). The source must be configured or have trusted options.
 */
export async function ingestTrusted(deps: Deps, sourceName: string, body: unknown, options: TrustedEventOptions = {}): Promise<IngestReport> {
  const entry = findSource(sourceName)
  const sourceOptions = entry && (entry.options(deps.config) ?? entry.trustedOptions)
  if (!entry || sourceOptions === undefined) throw new NotFoundError(`no webhook source "${sourceName}" is configured`)
  const bytes = body instanceof Uint8Array ? body : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body))
  const headers = new Headers(options.headers ?? { 'content-type': 'application/json' })
  const delivery: Delivery = { headers, body: bytes, params: {}, receivedAt: options.receivedAt ?? deps.now().toISOString() }
  return ingestVerified(deps, entry.source, sourceOptions, delivery)
}

/** One matched arrival as plain JSON: what recording it needs (a Workers image object receives these over RPC). */
export interface MatchedArrival extends PushHints {
  /** The image's target name. */
  image: string
  version: string
  platform: string
  /** The source repository and tag the arrival came from (the ledger's `source`). */
  source: string
  receivedAt: string
}

/** A delivery verified, parsed and matched, nothing recorded yet: its arrivals in delivery order. */
interface MatchedDelivery {
  arrivals: MatchedArrival[]
  ignored: IngestReport['ignored']
}

/**
 * Records arrivals (of one image or several), then enqueues processing of every version they
 * touched, and a look for lost webhooks of every image they started a version of. Returns the
 * report entry of each arrival, in order.
 */
export async function recordArrivals(deps: Deps, arrivals: readonly MatchedArrival[]): Promise<IngestReport['accepted']> {
  const accepted: IngestReport['accepted'] = []
  const touched = new Map<string, { image: string; version: string }>()
  const started = new Set<string>()
  // Arrivals from another invocation may predate a configuration change: all known, or none recorded.
  const images = arrivals.map(({ image: name, platform }) => {
    const image = deps.catalog.image(name)
    if (!image?.platforms.some((p) => p.key === platform)) throw new NotFoundError(`no configured image "${name}" has the platform "${platform}"`)
    return image
  })
  for (const [i, arrival] of arrivals.entries()) {
    const { image: name, version, platform, source } = arrival
    const image = images[i]!
    const hints = withoutUndefined({ hintDigest: arrival.hintDigest, hintBlobs: arrival.hintBlobs, eventAt: arrival.eventAt })
    const recorded = await recordPush(deps, { image, platform, version, source }, hints, arrival.receivedAt)
    accepted.push({ image: name, version, platform, source, duplicate: !recorded.changed })
    touched.set(versionKey(name, version), { image: name, version })
    if (recorded.created) started.add(name)
  }
  for (const { image, version } of touched.values()) await deps.work.enqueue({ kind: 'process', image, version })
  // A new version starting is the "later event" that looks for webhooks lost by earlier versions.
  for (const image of started) {
    const skip = [...touched.values()].filter((t) => t.image === image).map((t) => t.version)
    await deps.work.enqueue({ kind: 'recover', image, skip })
  }
  return accepted
}

/**
 * Records a delivery whose sender is proven: by `source.verify`, by its head (`verifyHead`, before
 * the body was read) or by the platform (ingestTrusted). Recording is the runtime's choice
 * (deps.arrivals): Workers hand each image's arrivals to its object. A delivery that matched
 * nothing (most of a registry's notifications) records nothing and queues nothing.
 */
export async function ingestVerified<O>(deps: Deps, source: Source<O>, options: O, delivery: Delivery): Promise<IngestReport> {
  const { arrivals, ignored } = matchVerified(deps, source, options, delivery)
  if (arrivals.length === 0) return { accepted: [], ignored }
  const accepted = await (deps.arrivals ? deps.arrivals.record(arrivals) : recordArrivals(deps, arrivals))
  return { accepted, ignored }
}

/** Parses and matches a delivery whose sender is proven; records nothing. */
function matchVerified<O>(deps: Deps, source: Source<O>, options: O, delivery: Delivery): MatchedDelivery {
  const events = source.parse(delivery, options, { registries: Object.keys(deps.config.registries) })
  const matched: MatchedDelivery = { arrivals: [], ignored: [] }
  for (const event of events) {
    const hints = event.kind === 'push' ? { hintDigest: event.digest, hintBlobs: event.references, eventAt: event.occurredAt } : {}
    for (const { image, platform, version, source } of matchEvent(deps, event, matched.ignored)) {
      matched.arrivals.push(withoutUndefined({ image: image.name, version, platform, source, receivedAt: delivery.receivedAt, ...hints }))
    }
  }
  if (source.rejectUnknownImages && matched.arrivals.length === 0 && matched.ignored.some((i) => i.reason === UNKNOWN)) {
    throw new NotFoundError('no configured image reads from this repository and tag')
  }
  return matched
}

const UNKNOWN = 'unknown image: no configured image uses this repository'
const REFUSALS = { 'moving-tag': 'a moving tag (latest, floating or extra)', 'referrers-tag': 'a referrers or signature tag', filtered: 'outside the image\'s versionPattern' } as const

function matchEvent(deps: Deps, event: SourceEvent, ignored: IngestReport['ignored']): SourceMatch<ImageConfig>[] {
  if (event.kind === 'ignored') {
    ignored.push({ reason: event.reason, ...where(event) })
    return []
  }
  const name = { registry: event.registry, repository: event.repository }
  const matches = deps.catalog.match(name, event.tag)
  if (matches.length > 0) return matches
  // Our own index pushes come back as events; they land in a target repository and match no template.
  const refusal = deps.catalog.refusal(name, event.tag)
  const reason = refusal
    ? `not a version: ${REFUSALS[refusal]}`
    : deps.catalog.isTarget(name)
      ? 'own publish (target repository)'
      : deps.catalog.isKnown(name)
        ? 'tag does not match the image naming template'
        : UNKNOWN
  ignored.push({ reason, ...where(event) })
  return []
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

function where(event: SourceEvent): { repository?: string; tag?: string } {
  return { ...(event.repository ? { repository: event.repository } : {}), ...(event.tag ? { tag: event.tag } : {}) }
}
