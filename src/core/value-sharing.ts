/**
 * Value sharing for configuration: equal parts of many images (platform lists, tag policies,
 * annotations) become one object, so 10,000 images do not hold 10,000 copies. Pure.
 */

/** Returns an earlier value with the same JSON instead of `value`, so that many images share their common parts (configuration is never mutated). */
export type ShareValue = <T>(value: T) => T

/** Creates a ShareValue for one configuration (its memory goes when the configuration is resolved). */
export function createValueSharing(): ShareValue {
  const seen = new Map<string, unknown>()
  return <T>(value: T): T => {
    const key = JSON.stringify(value)
    if (seen.has(key)) return seen.get(key) as T
    seen.set(key, value)
    return value
  }
}
