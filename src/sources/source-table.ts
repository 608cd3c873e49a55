/**
 * The table of webhook sources: route id -> source and the config section that holds its options.
 * Pure modules only (no platform SDKs), so every runtime bundle can import it.
 */
import type { AppConfig } from '../config.ts'
import { distributionSource } from './distribution.ts'
import { dockerHubSource } from './dockerhub.ts'
import type { Source } from './source.ts'

/** A source paired with the lookup of its options in the configuration. */
export interface SourceEntry<O = unknown> {
  source: Source<O>
  options: (config: AppConfig) => O | undefined
}

function entry<O>(source: Source<O>, options: (config: AppConfig) => O | undefined): SourceEntry {
  return { source, options } as SourceEntry
}

/** Every source, by the id used in `/webhooks/<id>` and in `sources.<id>` of the config. */
export const SOURCES: Readonly<Record<string, SourceEntry>> = {
  distribution: entry(distributionSource, (config) => config.sources.distribution),
  dockerhub: entry(dockerHubSource, (config) => config.sources.dockerhub),
}

/** Looks a source up by id without trusting the prototype chain. */
export function findSource(id: string): SourceEntry | undefined {
  return Object.hasOwn(SOURCES, id) ? SOURCES[id] : undefined
}
