/**
 * Platforms (`os/arch/variant`): parsing, alias normalisation and formatting.
 * Pure: never consults the host platform (a serverless host's architecture means nothing here).
 */

/** A normalised platform as it appears in an index entry. */
export interface Platform {
  os: string
  architecture: string
  variant?: string
  osVersion?: string
  osFeatures?: string[]
}

// Aliases seen in image names and `uname -m` output, normalised as containerd does:
// https://github.com/containerd/platforms/blob/main/database.go
const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  arm64v8: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  armv7: { architecture: 'arm', variant: 'v7' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  arm32v7: { architecture: 'arm', variant: 'v7' },
  armv6: { architecture: 'arm', variant: 'v6' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  arm32v6: { architecture: 'arm', variant: 'v6' },
  arm32v5: { architecture: 'arm', variant: 'v5' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  x86: { architecture: '386' },
  ppc64el: { architecture: 'ppc64le' },
}
const OS_ALIASES: Record<string, string> = { macos: 'darwin' }
const TOKEN = /^[a-z0-9][a-z0-9._-]*$/

/** Parses `os/arch[/variant]` (aliases allowed); returns undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/')
  if (parts.length < 2 || parts.length > 3 || !parts.every((part) => TOKEN.test(part))) return undefined
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) })
}

/** Applies alias and default-variant rules so that equal platforms compare equal. */
export function normalizePlatform(platform: Platform): Platform {
  // Own keys only: an image config saying `"os": "constructor"` must not reach Object.prototype.
  const os = ownValue(OS_ALIASES, platform.os.toLowerCase()) ?? platform.os.toLowerCase()
  const alias = ownValue(ARCH_ALIASES, platform.architecture.toLowerCase())
  const architecture = alias?.architecture ?? platform.architecture.toLowerCase()
  const variant = normalizeVariant(architecture, platform.variant?.toLowerCase() || alias?.variant)
  const extra = {
    ...(platform.osVersion ? { osVersion: platform.osVersion } : {}),
    ...(platform.osFeatures?.length ? { osFeatures: [...platform.osFeatures] } : {}),
  }
  return { os, architecture, ...(variant ? { variant } : {}), ...extra }
}

function ownValue<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

// arm64 is v8 unless stated otherwise, amd64 is v1, and a bare arm means v7 (containerd's rules).
function normalizeVariant(architecture: string, variant: string | undefined): string | undefined {
  if (architecture === 'arm64' && variant === 'v8') return undefined
  if (architecture === 'amd64' && variant === 'v1') return undefined
  if (architecture === 'arm' && !variant) return 'v7'
  return variant
}

/** Formats `os/arch[/variant]` (the key we use for a platform everywhere). */
export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`
  return platform.variant ? `${base}/${platform.variant}` : base
}

/** Returns true when two platforms are the same os/arch/variant after normalisation. */
export function isSamePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(normalizePlatform(a)) === formatPlatform(normalizePlatform(b))
}

/** Returns the default `{arch}` name for a platform: amd64, arm64, armv7, armv6, 386, ... */
export function defaultArchName(platform: Platform): string {
  return `${platform.architecture}${platform.variant ?? ''}`
}
