/**
 * GitHub Packages / GHCR `package` and `registry_package` webhook events, signed with
 * `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>`.
 * Format: https://docs.github.com/en/webhooks/webhook-events-and-payloads#package
 * Signature: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
import * as z from 'zod/mini'
import { InvalidPayloadError, UnauthorizedError } from '../errors.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, requireContentType } from './parse-body.ts'
import { buildPushEvent, ignoredEvent } from './push-event.ts'
import type { Source, SourceContext, SourceEvent } from './source.ts'
import { requireHmac } from './verify.ts'

export interface GitHubOptions {
  secrets: Secret[]
  /** The configured registry host: `ghcr.io`, or `containers.<host>` on GitHub Enterprise Server. */
  registry: string
}

const PACKAGE_EVENTS = ['package', 'registry_package']
const text = (max: number) => z.string().check(z.maxLength(max))
const packageSchema = z.object({
  name: text(512),
  package_type: z.optional(text(64)),
  ecosystem: z.optional(text(64)),
  owner: z.object({ login: text(256) }),
  package_version: z.nullish(
    z.object({
      name: z.optional(text(256)),
      container_metadata: z.nullish(
        z.object({
          tag: z.optional(z.object({ name: z.optional(text(256)), digest: z.optional(text(256)) })),
          manifest: z.optional(z.object({ media_type: z.optional(text(256)) })),
        }),
      ),
    }),
  ),
})
const payloadSchema = z.object({ action: text(64), package: z.optional(packageSchema), registry_package: z.optional(packageSchema) })
type GitHubPackage = z.infer<typeof packageSchema>

/** The GitHub package webhook source (`POST /webhooks/github`). */
export const gitHubSource: Source<GitHubOptions> = {
  id: 'github',
  // GitHub never redelivers on its own (https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries)
  // and nothing queues behind a failure, so an unknown image is a 404 that shows in the delivery log.
  rejectUnknownImages: true,
  // No replay window: GitHub signs no delivery time, and a manual redelivery resends the same body.
  // The signature covers the body; without one there is nothing to read the body for.
  verifyHead: (head) => {
    if (!(head.headers.get('x-hub-signature-256'))) throw new UnauthorizedError('X-Hub-Signature-256 is missing')
    return false
  },
  async verify(delivery, options) {
    const hex = delivery.headers.get('x-hub-signature-256')?.replace(/^sha256=/, '')
    await requireHmac(hex, { algorithm: 'SHA-256', bodies: [delivery.body], secrets: options.secrets, what: 'X-Hub-Signature-256' })
  },
  parse(delivery, options, context) {
    // A hook may be created with the form encoding; only the JSON one is accepted.
    requireContentType(delivery, ['application/json'])
    const event = delivery.headers.get('x-github-event')
    const id = delivery.headers.get('x-github-delivery')?.slice(0, 128)
    if (!event) throw new InvalidPayloadError('X-GitHub-Event header is missing')
    // GitHub sends `ping` when a hook is created; answer it with a 2xx.
    if (!PACKAGE_EVENTS.includes(event)) return [ignoredEvent(`event "${event.slice(0, 64)}"`, { id })]
    const payload = parseJsonBody(delivery, payloadSchema)
    const pkg = payload.package ?? payload.registry_package
    if (!pkg) throw new InvalidPayloadError('body has neither `package` nor `registry_package`')
    // `updated` reports a change to a version whose tag came with `published` (the table: action published).
    if (payload.action !== 'published') return [ignoredEvent(`action "${payload.action}"`, { id })]
    return [normalizePackage(pkg, options, context, id)]
  },
}

// One event per manifest: the platform children of a multi-arch push come untagged, `tag.name: ""`
// (github/docs#22091). The owner keeps its casing, OCI names are lower-case.
function normalizePackage(pkg: GitHubPackage, options: GitHubOptions, context: SourceContext, id: string | undefined): SourceEvent {
  const repository = `${pkg.owner.login}/${pkg.name}`.toLowerCase()
  // GitHub's own docker examples say `package_type: "npm"` with `ecosystem: "docker"`
  // (octokit/webhooks payload-examples/api.github.com/package/published.docker.payload.json): either field may name it.
  const types = [pkg.package_type, pkg.ecosystem].flatMap((t) => (t ? [t.toLowerCase()] : []))
  if (!types.some((type) => type === 'container' || type === 'docker')) return ignoredEvent(`package type "${[...new Set(types)].join('/')}"`, { repository, id })
  const metadata = pkg.package_version?.container_metadata
  const digest = metadata?.tag?.digest ?? pkg.package_version?.name
  return buildPushEvent({ registry: options.registry, repository, tag: metadata?.tag?.name, digest, mediaType: metadata?.manifest?.media_type, id }, context)
}
