/**
 * The Source contract every webhook provider implements: verify over the raw bytes first, then
 * parse with zod, then normalise to a list of events. Transport-neutral: a Delivery is plain data.
 */

/** What a webhook request says before its body is read: headers and route parameters. */
export interface DeliveryHead {
  headers: Headers
  params: Record<string, string | undefined>
  receivedAt: string
}

/** One webhook request as received: headers, the raw body and route parameters. */
export interface Delivery extends DeliveryHead {
  body: Uint8Array
}

/** A blob an image manifest references, as a source reported it (config first, then layers). */
export interface BlobReference {
  mediaType: string
  digest: string
  size: number
}

/**
 * A normalised event: a tagged manifest push to resolve, or something deliberately ignored.
 * `occurredAt` (from core/instant.ts, sortable) lets an older, reordered delivery be recognised.
 */
export type SourceEvent =
  | { kind: 'push'; registry: string; repository: string; tag: string; digest?: string; mediaType?: string; references?: BlobReference[]; occurredAt?: string; id?: string }
  | { kind: 'ignored'; reason: string; repository?: string; tag?: string; id?: string }

/** What a source may know about the deployment: the configured registry hosts (never a new host). */
export interface SourceContext {
  registries: readonly string[]
}

/** A webhook provider. */
export interface Source<Options> {
  id: string
  /**
   * Whether a delivery naming no configured image is an error (404). False for registries that
   * notify about every repository and retry non-2xx forever (distribution).
   */
  rejectUnknownImages: boolean
  /**
   * Authenticates from headers and route parameters alone, before the body is read (a stranger's
   * body is never read): true when that proves the delivery, false when the body is signed and
   * `verify` must see it. Throws UnauthorizedError. Absent: the body is always needed. Synchronous
   * where the check is (a static secret), so a delivery pays no promise for it.
   */
  verifyHead?(head: DeliveryHead, options: Options): boolean | Promise<boolean>
  /** Authenticates the delivery over its raw bytes; throws UnauthorizedError. */
  verify(delivery: Delivery, options: Options): Promise<void>
  /** Parses and normalises the body; throws InvalidPayloadError / UnsupportedMediaTypeError. */
  parse(delivery: Delivery, options: Options, context: SourceContext): SourceEvent[]
}
