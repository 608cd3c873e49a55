/**
 * Docker Hub repository webhooks: unsigned, tag only, no digest. The only authentication is a
 * long secret in the URL path (`POST /webhooks/dockerhub/<secret>`).
 * Format: https://docs.docker.com/docker-hub/repos/manage/webhooks/
 */
import * as z from 'zod/mini'
import { instantFromEpochSeconds } from '../core/instant.ts'
import { DOCKER_HUB, isValidTag, normalizeRepositoryName, isValidRepository } from '../core/reference.ts'
import type { Secret } from '../secret.ts'
import { parseJsonBody, requireContentType } from './parse-body.ts'
import type { Source } from './source.ts'
import { requireSecret, verifyByHead } from './verify.ts'

export interface DockerHubOptions {
  secrets: Secret[]
}

const payloadSchema = z.object({
  push_data: z.object({
    tag: z.string().check(z.maxLength(256)),
    // Older payloads sent pushed_at as a float, current ones as an integer (Unix seconds).
    pushed_at: z.optional(z.number()),
  }),
  repository: z.object({ repo_name: z.string().check(z.maxLength(512)) }),
})

/** The Docker Hub webhook source. */
export const dockerHubSource: Source<DockerHubOptions> = {
  id: 'dockerhub',
  // Docker Hub does not retry and nothing queues behind a failure, so an unknown image is a 404.
  rejectUnknownImages: true,
  ...verifyByHead<DockerHubOptions>((delivery, options) => {
    requireSecret(delivery.params.secret, options.secrets, 'webhook secret in the URL path')
  }),
  parse(delivery) {
    requireContentType(delivery, ['application/json'])
    const payload = parseJsonBody(delivery, payloadSchema)
    const { tag } = payload.push_data
    const name = normalizeRepositoryName({ registry: DOCKER_HUB, repository: payload.repository.repo_name.toLowerCase() })
    if (!isValidRepository(name.repository) || !isValidTag(tag)) {
      return [{ kind: 'ignored', reason: 'invalid repository or tag', repository: name.repository, tag }]
    }
    // Several deliveries arrive per multi-arch push, all with the same tag (docker/hub-feedback#2148).
    const occurredAt = payload.push_data.pushed_at === undefined ? undefined : instantFromEpochSeconds(payload.push_data.pushed_at)
    return [{ kind: 'push', registry: DOCKER_HUB, repository: name.repository, tag, ...(occurredAt ? { occurredAt } : {}) }]
  },
}
