/**
 * Validation with readable issues. zod/mini carries no messages of its own (every issue reads
 * "Invalid input"), so the parses whose issues a user sees (config errors, 4xx bodies, registry
 * documents) pass zod's English messages (its `en` locale, about 2 KB) for that one parse.
 */
import * as z from 'zod/mini'
import { en } from 'zod/locales'

const english = en().localeError

/** The parsed value, or every issue as `path: message` (`(root)` for the value itself). */
export type SchemaResult<T> = { ok: true; value: T } | { ok: false; issues: string[] }

/** Validates `input` against `schema`. */
export function parseWithSchema<T>(schema: z.ZodMiniType<T>, input: unknown): SchemaResult<T> {
  const result = schema.safeParse(input, { error: english })
  if (result.success) return { ok: true, value: result.data }
  return { ok: false, issues: result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) }
}
