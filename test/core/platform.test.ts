import { describe, expect, it } from 'vitest'
import { defaultArchName, formatPlatform, isSamePlatform, normalizePlatform, parsePlatform } from '../../src/core/platform.ts'

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/v6', 'linux/arm/v6'],
    ['linux/i386', 'linux/386'],
    ['linux/ppc64el', 'linux/ppc64le'],
    ['Linux/AMD64', 'linux/amd64'],
    ['macos/arm64', 'darwin/arm64'],
    ['windows/amd64', 'windows/amd64'],
    ['linux/riscv64', 'linux/riscv64'],
  ])('%s -> %s', (input, expected) => {
    const platform = parsePlatform(input)
    expect(platform && formatPlatform(platform)).toBe(expected)
  })

  it.each(['', 'linux', 'linux/', '/amd64', 'linux/amd64/v1/extra', 'linux/am d64', 'linux/../amd64'])('rejects %j', (input) => {
    expect(parsePlatform(input)).toBeUndefined()
  })
})

describe('isSamePlatform', () => {
  it('treats aliases and default variants as equal', () => {
    expect(isSamePlatform({ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true)
    expect(isSamePlatform({ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(true)
    expect(isSamePlatform({ os: 'linux', architecture: 'amd64', variant: 'v1' }, { os: 'linux', architecture: 'x86_64' })).toBe(true)
  })

  it('tells different platforms apart', () => {
    expect(isSamePlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false)
    expect(isSamePlatform({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' })).toBe(false)
    expect(isSamePlatform({ os: 'windows', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' })).toBe(false)
  })
})

describe('defaultArchName', () => {
  it.each([
    ['linux/amd64', 'amd64'],
    ['linux/arm64', 'arm64'],
    ['linux/arm/v7', 'armv7'],
    ['linux/arm/v6', 'armv6'],
    ['linux/386', '386'],
    ['linux/ppc64le', 'ppc64le'],
    ['linux/s390x', 's390x'],
    ['linux/riscv64', 'riscv64'],
  ])('%s -> %s', (input, name) => {
    expect(defaultArchName(parsePlatform(input)!)).toBe(name)
  })
})

describe('normalizePlatform', () => {
  it('keeps Windows os.version and os.features', () => {
    const platform = normalizePlatform({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2227', osFeatures: ['win32k'] })
    expect(platform).toEqual({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2227', osFeatures: ['win32k'] })
  })

  // Before, `constructor` found Object.prototype.constructor and the check threw, so the arrival was retried forever.
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('takes "%s" as a plain name, never a prototype property', (name) => {
    expect(normalizePlatform({ os: name, architecture: name })).toEqual({ os: name.toLowerCase(), architecture: name.toLowerCase() })
  })
})
