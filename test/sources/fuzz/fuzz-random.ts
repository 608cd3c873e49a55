// A seeded PRNG (xorshift32) and generators of hostile webhook input: mutated bytes, junk JSON,
// wrong encodings, random headers. Deterministic per seed, so a failure can be replayed.

/** A small seeded random source. */
export interface Random {
  next(): number
  int(below: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/** Creates a PRNG from a seed (xorshift32; never returns the same stream for different seeds). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0 || 0x9e3779b9
  const next = () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 0x1_0000_0000
  }
  const int = (below: number) => Math.floor(next() * below)
  return { next, int, chance: (p) => next() < p, pick: (items) => items[int(items.length)]! }
}

const encoder = new TextEncoder()
const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
const TRICKY = ['', 'sha256:', `sha256:${'a'.repeat(64)}`, 'v1.0.2', 'latest', '../../etc/passwd', 'a/b/c', 'ghcr.io/x/y:v1', '%00', '\u0000', '\ud800', '\u202e', '💥', 'null', '__proto__', 'constructor', 'PUSH', 'push', 'INSERT', 'pushed', 'created', 'published']

/** A random string: printable, tricky, unicode or huge. */
export function junkString(r: Random, maxLength = 64): string {
  switch (r.int(5)) {
    case 0:
      return r.pick(TRICKY)
    case 1:
      return 'x'.repeat(r.int(maxLength * 100))
    case 2:
      return Array.from({ length: r.int(maxLength) }, () => String.fromCodePoint(r.int(0x11000))).join('')
    default:
      return Array.from({ length: r.int(maxLength) }, () => PRINTABLE[r.int(PRINTABLE.length)]).join('')
  }
}

/** A random JSON value of any type, nested up to `depth`; sometimes very deep. */
export function junkValue(r: Random, depth = 3): unknown {
  const kind = depth <= 0 ? r.int(5) : r.int(9)
  if (kind === 0) return null
  if (kind === 1) return r.chance(0.5)
  if (kind === 2) return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 1.5, r.int(1e9)])
  if (kind === 3 || kind === 4) return junkString(r)
  if (kind === 5) return Array.from({ length: r.int(5) }, () => junkValue(r, depth - 1))
  if (kind === 6) return Object.fromEntries(Array.from({ length: r.int(5) }, () => [junkString(r, 8), junkValue(r, depth - 1)]))
  if (kind === 7) return r.chance(0.1) ? nested(r.int(1500)) : nested(r.int(20))
  return r.pick([[], {}, '', [null], { '': '' }])
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value }
  return value
}

/** Replaces, deletes or adds one node somewhere inside a parsed JSON value (in place); returns the root. */
export function mutateJson(r: Random, root: unknown): unknown {
  const containers = collectContainers(root)
  if (containers.length === 0 || r.chance(0.05)) return junkValue(r)
  const target = r.pick(containers) as Record<string, unknown>
  const keys = Object.keys(target)
  const key = keys.length > 0 && r.chance(0.8) ? r.pick(keys) : junkString(r, 8)
  if (r.chance(0.2)) delete target[key]
  else target[key] = junkValue(r)
  return root
}

function collectContainers(root: unknown): object[] {
  const found: object[] = []
  const stack = [root]
  while (stack.length > 0 && found.length < 200) {
    const value = stack.pop()
    if (value === null || typeof value !== 'object') continue
    found.push(value)
    stack.push(...Object.values(value))
  }
  return found
}

/** Flips bits, truncates, inserts invalid UTF-8, deletes or duplicates a range of the bytes. */
export function mutateBytes(r: Random, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes)
  const at = () => r.int(out.length + 1)
  switch (r.int(6)) {
    case 0:
      for (let i = r.int(8) + 1; i > 0 && out.length > 0; i--) out[r.int(out.length)]! ^= 1 << r.int(8)
      break
    case 1:
      out.length = r.int(out.length)
      break
    case 2:
      out.splice(at(), 0, ...r.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x00], [0xe2, 0x82]]))
      break
    case 3:
      out.splice(at(), r.int(32))
      break
    case 4: {
      const start = at()
      out.splice(start, 0, ...out.slice(start, start + r.int(64)))
      break
    }
    default:
      out.splice(at(), 0, ...encoder.encode(junkString(r, 16)))
  }
  return Uint8Array.from(out)
}

/** The text in a wrong encoding: UTF-16 (either order), Latin-1 bytes, or UTF-8 behind a BOM. */
export function misencode(r: Random, text: string): Uint8Array {
  switch (r.int(4)) {
    case 0:
      return Uint8Array.from(Array.from(text).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]))
    case 1:
      return Uint8Array.from([0xfe, 0xff, ...Array.from(text).flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff])])
    case 2:
      return Uint8Array.from(Array.from(`${text}é\u00ff`).map((c) => c.charCodeAt(0) & 0xff))
    default:
      return Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode(text)])
  }
}

/** A header value made of printable ASCII (what Headers accepts), sometimes long. */
export function junkHeaderValue(r: Random): string {
  const value = r.chance(0.1) ? 'v'.repeat(r.int(8000)) : Array.from({ length: r.int(40) }, () => PRINTABLE[r.int(PRINTABLE.length)]).join('')
  return value.trim()
}
