// The shipped JSON Schema: generated from the zod schema and up to date, using only keywords the
// test validator knows, accepting every config example in README.md and docs/ (each marked
// `<!-- config-example -->`) and rejecting broken configs exactly where zod does.
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { configSchema, parseConfig } from '../src/config.ts'
import { CONFIG_SCHEMA_FILE, formatConfigJsonSchema } from '../src/config-schema.ts'
import { checkJsonSchema, KNOWN_KEYWORDS, listKeywords } from './support/json-schema-check.ts'

const ROOT = resolve(import.meta.dirname, '..')
const schema = JSON.parse(readFileSync(join(ROOT, CONFIG_SCHEMA_FILE), 'utf8'))
const MARKER = '<!-- config-example -->'

interface Example {
  where: string
  value: unknown
}

function readExamples(): { markers: number; examples: Example[] } {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  let markers = 0
  const examples: Example[] = []
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    markers += text.split(MARKER).length - 1
    for (const match of text.matchAll(/<!-- config-example -->\n```(json|yaml)\n([\s\S]*?)\n```/g)) {
      const line = text.slice(0, match.index).split('\n').length
      examples.push({ where: `${file}:${line}`, value: match[1] === 'json' ? JSON.parse(match[2] ?? '') : parseYaml(match[2] ?? '') })
    }
  }
  return { markers, examples }
}

const { markers, examples } = readExamples()
const example = examples.find((e) => e.where.startsWith('docs/configuration.md:'))?.value as Record<string, any>

describe('schema/config.schema.json', () => {
  it('is what `npm run schema` generates from the zod schema', () => {
    expect(readFileSync(join(ROOT, CONFIG_SCHEMA_FILE), 'utf8')).toBe(formatConfigJsonSchema())
  })

  it('uses only keywords the validator applies', () => {
    expect([...listKeywords(schema)].filter((k) => !KNOWN_KEYWORDS.includes(k))).toEqual([])
  })

  it('finds every marked example (each marker is followed by a json or yaml block)', () => {
    expect(examples.map((e) => e.where)).toHaveLength(markers)
    expect(examples.filter((e) => e.where.startsWith('docs/configuration.md:')).map((e) => typeof e.value)).toEqual(['object', 'object'])
  })

  it('accepts every config example in the docs, as the zod schema does', () => {
    for (const { where, value } of examples) {
      expect({ where, errors: checkJsonSchema(schema, value) }).toEqual({ where, errors: [] })
      expect({ where, zod: configSchema.safeParse(value).success }).toEqual({ where, zod: true })
    }
  })

  it('honours $schema: the key is allowed and ignored', () => {
    const config = { ...example, $schema: './schema/config.schema.json' }
    expect(checkJsonSchema(schema, config)).toEqual([])
    expect(parseConfig(config).images.map((i) => i.name)).toEqual(['127.0.0.1:5150/demo/app', '127.0.0.1:5150/demo/suffix'])
  })

  const image = () => ({ ...example.images[0] })
  const broken: [string, Record<string, unknown>, string][] = [
    ['an unknown top-level key', { ...example, imgaes: [] }, '(root): unknown key imgaes'],
    ['a port that is a string', { ...example, server: { port: '8080' } }, '(root).server.port: not of type integer'],
    ['a port out of range', { ...example, server: { port: 70000 } }, '(root).server.port: above 65535'],
    ['platforms that are not a list', { ...example, images: [{ ...image(), platforms: 'linux/amd64' }] }, '(root).images.0.platforms: not of type array'],
    ['an image without from', { ...example, images: [{ target: 'ghcr.io/a/b', platforms: ['linux/amd64'] }] }, '(root).images.0: missing from'],
    ['insecure as a string', { ...example, registries: { 'ghcr.io': { insecure: 'yes' } } }, '(root).registries.ghcr.io.insecure: not of type boolean'],
    ['an empty secret', { ...example, sources: { distribution: { token: '' } } }, '(root).sources.distribution.token: matches none of anyOf'],
    ['an unknown deadline action', { ...example, images: [{ ...image(), deadline: { seconds: 60, action: 'wait' } }] }, '(root).images.0.deadline.action: not one of ["publish-partial","stale"]'],
  ]
  it.each(broken)('rejects %s, as zod does', (_, config, error) => {
    expect(checkJsonSchema(schema, config)).toContain(error)
    expect(configSchema.safeParse(config).success).toBe(false)
  })
})
