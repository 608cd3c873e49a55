/**
 * Semantic versions as used in image tags: `1.2.3`, `v1.2.3`, `1.2.3-rc.1` (no `+build`: `+` is not a tag
 * character). Pure. Precedence rules: https://semver.org/#spec-item-11
 */

/** A parsed version; `raw` is the tag text it came from. */
export interface SemVer {
  major: number
  minor: number
  patch: number
  prerelease: string[]
  raw: string
}

const NUMBER = '(0|[1-9][0-9]*)'
const IDENT = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)'
const SEMVER = new RegExp(`^[vV]?${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-(${IDENT}(?:\\.${IDENT})*))?$`)

/** Parses a version tag; undefined when it is not semver (with or without a leading `v`). */
export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text)
  if (!match) return undefined
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number]
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined
  return { major, minor, patch, prerelease: match[4] ? match[4].split('.') : [], raw: text }
}

/** Returns true for a release version (no pre-release part). */
export function isStable(version: SemVer): boolean {
  return version.prerelease.length === 0
}

/** Compares by semver precedence: negative when a < b, 0 when equal, positive when a > b. */
export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePrerelease(a.prerelease, b.prerelease)
}

function comparePrerelease(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1
    const order = compareIdentifier(x, y)
    if (order !== 0) return order
  }
  return 0
}

function compareIdentifier(x: string, y: string): number {
  const xNumeric = /^[0-9]+$/.test(x)
  const yNumeric = /^[0-9]+$/.test(y)
  if (xNumeric && yNumeric) return Number(x) - Number(y)
  if (xNumeric !== yNumeric) return xNumeric ? -1 : 1
  return x < y ? -1 : x > y ? 1 : 0
}
