/**
 * The JSON Schema of the config file, generated from the zod schema (z.toJSONSchema, input side:
 * defaults make keys optional) and shipped as schema/config.schema.json for editors. Pure.
 */
import * as z from 'zod/mini'
import { configSchema } from './config.ts'

/** Where the schema file lives in the package, and the id it declares. */
export const CONFIG_SCHEMA_FILE = 'schema/config.schema.json'

/** Builds the JSON Schema document (draft 2020-12). */
export function buildConfigJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  return {
    $schema,
    title: 'manifest-hook configuration',
    description: 'Registries, webhook sources and multi-arch images of manifest-hook (docs/configuration.md).',
    ...rest,
  }
}

/** The file's exact text (what scripts/generate-schema.ts writes and the test compares). */
export function formatConfigJsonSchema(): string {
  return `${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`
}
