/**
 * The discovery part of a full sweep. Which images it lists tags for: all of them up to
 * `server.discoverImagesPerSweep`, else that many from a cursor kept in the sweep record, so that
 * thousands of images cost a bounded number of listings per full sweep and each is listed every few
 * sweeps. And a registry that is down is not asked again and again within one sweep.
 */
import type { ImageConfig } from '../config.ts'
import type { Deps } from '../deps.ts'
import { isTemporaryRegistryError } from '../registry/errors.ts'
import { discoverVersions } from './discover-versions.ts'
import { loadSweepRecord } from './sweep-record.ts'

/** The images to list this time and where the next full sweep starts. */
export interface DiscoverySlice {
  names: Set<string>
  next: number
}

/** Picks up to `perSweep` images starting at `cursor` (wrapping around). */
export function pickDiscoverySlice(images: readonly ImageConfig[], cursor: number, perSweep: number): DiscoverySlice {
  if (images.length <= perSweep) return { names: new Set(images.map((image) => image.name)), next: 0 }
  const start = Number.isInteger(cursor) && cursor >= 0 ? cursor % images.length : 0
  const names = new Set<string>()
  for (let i = 0; i < perSweep; i++) names.add((images[(start + i) % images.length] as ImageConfig).name)
  return { names, next: (start + perSweep) % images.length }
}

/** The images a full sweep lists tags for: the slice at the record's cursor (all of them when they fit, as the one image of a sweep on request does). */
export async function chooseDiscovery(deps: Deps, images: readonly ImageConfig[]): Promise<DiscoverySlice> {
  const cursor = (await loadSweepRecord(deps))?.discoveryCursor ?? 0
  return pickDiscoverySlice(images, cursor, deps.config.server.discoverImagesPerSweep)
}

// A listing that fails is tried again by the next full sweep; the rest of the sweep goes on. A
// registry that is down costs the failed listings (with their retries) of the images being swept at
// that moment, not one per image: the others reading from it wait for the next full sweep.
export async function discoverOrNothing(deps: Deps, image: ImageConfig, unreachable: Set<string>): Promise<number> {
  if (unreachable.has(image.from.registry)) return 0
  try {
    return (await discoverVersions(deps, image)).length
  } catch (error) {
    if (isTemporaryRegistryError(error)) unreachable.add(image.from.registry)
    deps.log.warn('could not list tags to look for unannounced versions', { image: image.name, error })
    return 0
  }
}
