/**
 * A small JSON Schema (2020-12) validator for the keywords our generated config schema uses, so
 * that tests check documents against the shipped file itself without another dependency.
 * `KNOWN_KEYWORDS` lists them; the schema test fails if the schema starts using any other.
 */
type Schema = Record<string, any>

/** Keywords this validator applies, plus annotations it ignores. */
export const KNOWN_KEYWORDS = [
  'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'anyOf', 'oneOf', 'allOf',
  'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'pattern', 'format',
  '$schema', 'title', 'description', 'default',
]

/** Every keyword used anywhere in `schema` (property names excluded). */
export function listKeywords(schema: Schema, into = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(schema)) {
    into.add(key)
    if (key === 'properties') for (const sub of Object.values(value as Schema)) listKeywords(sub, into)
    else if (['anyOf', 'oneOf', 'allOf'].includes(key)) for (const sub of value as Schema[]) listKeywords(sub, into)
    else if (['items', 'additionalProperties', 'propertyNames'].includes(key) && typeof value === 'object') listKeywords(value, into)
  }
  return into
}

/** Returns every violation as `path: what`; [] when `value` is valid. */
export function checkJsonSchema(schema: Schema, value: unknown, path = '(root)'): string[] {
  const errors: string[] = []
  const fail = (message: string) => errors.push(`${path}: ${message}`)
  if (schema.type !== undefined && ![schema.type].flat().some((type: string) => isType(value, type))) fail(`not of type ${[schema.type].flat().join('|')}`)
  if (schema.const !== undefined && JSON.stringify(value) !== JSON.stringify(schema.const)) fail(`not ${JSON.stringify(schema.const)}`)
  if (schema.enum && !schema.enum.some((item: unknown) => JSON.stringify(item) === JSON.stringify(value))) fail(`not one of ${JSON.stringify(schema.enum)}`)
  if (typeof value === 'number') checkNumber(schema, value, fail)
  if (typeof value === 'string') checkString(schema, value, fail)
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`)
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`more than ${schema.maxItems} items`)
    if (schema.items) value.forEach((item, i) => errors.push(...checkJsonSchema(schema.items, item, `${path}.${i}`)))
  }
  if (isType(value, 'object')) errors.push(...checkObject(schema, value as Record<string, unknown>, path))
  if (schema.allOf) for (const sub of schema.allOf) errors.push(...checkJsonSchema(sub, value, path))
  const passing = (list: Schema[]) => list.filter((sub) => checkJsonSchema(sub, value, path).length === 0).length
  if (schema.anyOf && passing(schema.anyOf) === 0) fail('matches none of anyOf')
  if (schema.oneOf && passing(schema.oneOf) !== 1) fail(`matches ${passing(schema.oneOf)} of oneOf, not exactly 1`)
  return errors
}

function checkObject(schema: Schema, value: Record<string, unknown>, path: string): string[] {
  const errors: string[] = []
  for (const key of schema.required ?? []) if (!(key in value)) errors.push(`${path}: missing ${key}`)
  for (const [key, item] of Object.entries(value)) {
    const sub = schema.properties?.[key]
    if (sub) errors.push(...checkJsonSchema(sub, item, `${path}.${key}`))
    else if (schema.additionalProperties === false) errors.push(`${path}: unknown key ${key}`)
    else if (typeof schema.additionalProperties === 'object') errors.push(...checkJsonSchema(schema.additionalProperties, item, `${path}.${key}`))
    if (schema.propertyNames) errors.push(...checkJsonSchema(schema.propertyNames, key, `${path}.${key} (name)`))
  }
  return errors
}

function checkNumber(schema: Schema, value: number, fail: (m: string) => void): void {
  if (schema.minimum !== undefined && value < schema.minimum) fail(`below ${schema.minimum}`)
  if (schema.maximum !== undefined && value > schema.maximum) fail(`above ${schema.maximum}`)
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) fail(`not above ${schema.exclusiveMinimum}`)
  if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) fail(`not below ${schema.exclusiveMaximum}`)
}

function checkString(schema: Schema, value: string, fail: (m: string) => void): void {
  if (schema.minLength !== undefined && [...value].length < schema.minLength) fail(`shorter than ${schema.minLength}`)
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) fail(`longer than ${schema.maxLength}`)
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) fail(`does not match ${schema.pattern}`)
  if ((schema.format === 'uri' || schema.format === 'url') && !URL.canParse(value)) fail('not a URI')
}

function isType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value)
  if (type === 'number') return typeof value === 'number'
  if (type === 'array') return Array.isArray(value)
  if (type === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value)
  if (type === 'null') return value === null
  return typeof value === type
}
