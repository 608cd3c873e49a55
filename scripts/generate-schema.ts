// Writes schema/config.schema.json from the zod config schema: `npm run schema` after changing
// src/config.ts (test/config-schema.test.ts fails while the file is out of date).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { CONFIG_SCHEMA_FILE, formatConfigJsonSchema } from '../src/config-schema.ts'

const path = resolve(import.meta.dirname, '..', CONFIG_SCHEMA_FILE)
mkdirSync(dirname(path), { recursive: true })
writeFileSync(path, formatConfigJsonSchema())
console.log(`wrote ${CONFIG_SCHEMA_FILE}`)
