/**
 * JFrog Artifactory webhooks of the `docker` domain (`pushed` tags), in the `domain`/`data` envelope or
 * flat as the docs' example shows, authenticated by
 * `X-JFrog-Event-Auth`: the hex HMAC-SHA256 of the body when the webhook signs its payload, else the secret itself.
 * Format: https://jfrog.com/help/r/jfrog-platform-administration-documentation/domain-docker
 */
import * as z from 'zod/mini'
import { UnauthorizedError } from '../errors.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, parseValue, requireContentType } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source, SourceContext, SourceEvent } from './source.ts'
import { requireHmac, requireSecret } from './verify.ts'

export interface ArtifactoryOptions {
  secrets: Secret[]
  /** `hmac` ("use secret for payload signing", the default) or `secret` (the header is the secret). */
  signing: 'hmac' | 'secret'
  /** The configured registry host the Docker repositories are served from. */
  registry: string
  /** Repository path access method, `<host>/<repo_key>/<image>` (default); false for subdomain or port methods. */
  repoKeyInPath: boolean
  /** A virtual repository to pull through instead of the event's local `repo_key`. */
  virtualRepo?: string
}

const text = (max: number) => z.string().check(z.maxLength(max))
// Loose: a flat body carries the data fields at the top level.
const bodySchema = z.looseObject({ domain: z.optional(text(64)), event_type: text(64), data: z.optional(z.unknown()) })
const dataSchema = z.object({ repo_key: text(256), image_name: text(512), tag: text(256) })
type ArtifactoryData = z.infer<typeof dataSchema>

/** The Artifactory docker-domain webhook source (`POST /webhooks/artifactory`). */
export const artifactorySource: Source<ArtifactoryOptions> = {
  id: 'artifactory',
  // JFrog documents no retry behaviour for webhooks; a 2xx for an unknown image can never start
  // a retry loop, and the response body still lists it as ignored.
  rejectUnknownImages: false,
  // No replay window: the docker-domain payload carries no event time.
  // Secret mode proves the delivery by its header; HMAC mode needs the body (its header must be there).
  verifyHead(head, options) {
    const header = head.headers.get('x-jfrog-event-auth')
    if (options.signing === 'secret') return (requireSecret(header, options.secrets, 'X-JFrog-Event-Auth'), true)
    if (!header) throw new UnauthorizedError('X-JFrog-Event-Auth is missing')
    return false
  },
  async verify(delivery, options) {
    const header = delivery.headers.get('x-jfrog-event-auth')
    if (options.signing === 'secret') return requireSecret(header, options.secrets, 'X-JFrog-Event-Auth')
    await requireHmac(header, { algorithm: 'SHA-256', bodies: [delivery.body], secrets: options.secrets, what: 'X-JFrog-Event-Auth' })
  },
  parse(delivery, options, context) {
    requireContentType(delivery, ['application/json'])
    const body = parseJsonBody(delivery, bodySchema)
    // JFrog documents the docker payload flat, without `domain` (repo_key, event_type, image_name, tag, … at
    // the top level), besides the `domain`/`data` envelope: https://jfrog.com/help/r/jfrog-platform-administration-documentation/domain-docker
    const flat = body.domain === undefined
    if (!flat && body.domain !== 'docker') return [ignoredEvent(`domain "${body.domain}"`)]
    // `deleted` and `promoted` share the shape; only `pushed` is a new tag.
    if (body.event_type !== 'pushed') return [ignoredEvent(`event type "${body.event_type}"`)]
    return [normalizeData(parseValue(flat ? body : body.data, dataSchema, 'data'), options, context)]
  },
}

// `sha256` is documented as the checksum of the stored manifest file, not as the registry digest,
// so it is not passed as a digest hint: the tag is resolved in the registry.
function normalizeData(data: ArtifactoryData, options: ArtifactoryOptions, context: SourceContext): SourceEvent {
  const repoKey = options.virtualRepo ?? data.repo_key
  const repository = options.repoKeyInPath ? `${repoKey}/${data.image_name}` : data.image_name
  return buildPushEvent({ registry: options.registry, repository, tag: data.tag }, context)
}
