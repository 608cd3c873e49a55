/**
 * Shared normalisation for every source: untrusted push fields -> a push event, or an ignored event
 * saying why. The registry host must be one the configuration names; a payload can only select.
 */
import { isDigest } from '../core/digest.ts'
import { isManifestMediaType } from '../core/media-types.ts'
import { isValidRepository, isValidTag } from '../core/reference.ts'
import type { SourceContext, SourceEvent } from './source.ts'

/** Where an event points, as far as the payload says (for the response's `ignored` list). */
export interface EventPlace {
  repository?: string | undefined
  tag?: string | undefined
  id?: string | undefined
}

/** The fields of a push as a payload states them; nothing here is trusted yet. */
export interface PushFields extends EventPlace {
  registry: string | undefined
  repository: string
  digest?: string | undefined
  mediaType?: string | undefined
  /** The event time as core/instant.ts formats it (sortable), when the provider states one. */
  occurredAt?: string | undefined
}

/** An event deliberately ignored (answered 2xx), with whatever place the payload named. */
export function ignoredEvent(reason: string, place: EventPlace = {}): SourceEvent {
  const { repository, tag, id } = place
  return { kind: 'ignored', reason, ...(repository ? { repository } : {}), ...(tag ? { tag } : {}), ...(id ? { id } : {}) }
}

/** Turns push fields into a push event, or an ignored event when the tag, names or host do not qualify. */
export function buildPushEvent(fields: PushFields, context: SourceContext): SourceEvent {
  const { registry, repository, tag, digest, mediaType, occurredAt, id } = fields
  // Harbor, Gitea and Zot report an untagged child manifest with its digest where the tag goes.
  if (!tag || tag.startsWith('sha256:')) return ignoredEvent('push by digest (no tag)', fields)
  if (!isValidRepository(repository) || !isValidTag(tag)) return ignoredEvent('invalid repository or tag', fields)
  if (!registry || !context.registries.includes(registry)) return ignoredEvent('registry host is not configured', fields)
  return {
    kind: 'push',
    registry,
    repository,
    tag,
    ...(digest && isDigest(digest) ? { digest } : {}),
    ...(isManifestMediaType(mediaType) ? { mediaType } : {}),
    ...(occurredAt ? { occurredAt } : {}),
    ...(id ? { id } : {}),
  }
}

/** The host of `host/path…` or `scheme://host/path…`; undefined when there is none. */
export function hostOf(location: string | undefined): string | undefined {
  if (!location) return undefined
  const rest = location.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const host = rest.split('/')[0]
  return host || undefined
}
