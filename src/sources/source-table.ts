/**
 * The table of webhook sources: route id -> source and the config section that holds its options.
 * Pure modules only (no platform SDKs), so every runtime bundle can import it.
 */
import type { AppConfig } from '../config.ts'
import { acrSource } from './acr.ts'
import { artifactorySource } from './artifactory.ts'
import { distributionSource } from './distribution.ts'
import { dockerHubSource } from './dockerhub.ts'
import { ecrSource } from './ecr.ts'
import { garSource } from './gar.ts'
import { giteaSource } from './gitea.ts'
import { gitHubSource } from './github.ts'
import { harborSource } from './harbor.ts'
import { nexusSource } from './nexus.ts'
import { quaySource } from './quay.ts'
import type { Source } from './source.ts'
import { zotSource } from './zot.ts'

/** A source paired with the lookup of its options in the configuration. */
export interface SourceEntry<O = unknown> {
  source: Source<O>
  options: (config: AppConfig) => O | undefined
  /** The route takes the secret as its last path segment: `/webhooks/<id>/<secret>`. */
  secretInPath: boolean
  /**
   * Options to parse with when the platform delivered the event already authenticated and the
   * config has no section for the source (ingestTrusted); sources without them need their section.
   */
  trustedOptions?: O
}

function entry<O>(source: Source<O>, options: (config: AppConfig) => O | undefined, secretInPath = false, trustedOptions?: O): SourceEntry {
  return { source, options, secretInPath, ...(trustedOptions ? { trustedOptions } : {}) } as SourceEntry
}

/** Every source, by the id used in `/webhooks/<id>` and in `sources.<id>` of the config. */
export const SOURCES: Readonly<Record<string, SourceEntry>> = {
  distribution: entry(distributionSource, (config) => config.sources.distribution),
  dockerhub: entry(dockerHubSource, (config) => config.sources.dockerhub, true),
  harbor: entry(harborSource, (config) => config.sources.harbor),
  github: entry(gitHubSource, (config) => config.sources.github),
  quay: entry(quaySource, (config) => config.sources.quay, true),
  acr: entry(acrSource, (config) => config.sources.acr),
  // EventBridge can deliver ECR events straight to a Lambda, which AWS authenticates: no secret.
  ecr: entry(ecrSource, (config) => config.sources.ecr, false, { header: 'authorization', secrets: [] }),
  gar: entry(garSource, (config) => config.sources.gar),
  artifactory: entry(artifactorySource, (config) => config.sources.artifactory),
  gitea: entry(giteaSource, (config) => config.sources.gitea),
  zot: entry(zotSource, (config) => config.sources.zot),
  nexus: entry(nexusSource, (config) => config.sources.nexus),
}

/** Looks a source up by id without trusting the prototype chain. */
export function findSource(id: string): SourceEntry | undefined {
  return Object.hasOwn(SOURCES, id) ? SOURCES[id] : undefined
}
