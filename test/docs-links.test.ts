// Every relative link in README.md and docs/ points at a file that exists (and, with a #fragment,
// at a heading of that file), so moving a page cannot leave the front door pointing nowhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
function anchorsOf(text: string): Set<string> {
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')))
}

it('resolves every relative link of README.md and docs/*.md', () => {
  const broken: string[] = []
  let checked = 0
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '')
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue
      checked++
      const [path = '', fragment] = target.split('#')
      const file = path ? join(ROOT, dirname(page), path) : join(ROOT, page)
      if (!existsSync(file)) broken.push(`${page}: ${target}`)
      else if (fragment && !anchorsOf(readFileSync(file, 'utf8')).has(fragment)) broken.push(`${page}: ${target} (no such heading)`)
    }
  }
  expect(broken).toEqual([])
  expect(checked).toBeGreaterThan(20)
})
