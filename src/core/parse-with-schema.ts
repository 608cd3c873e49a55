/**
 * Validation with readable issues. zod/mini carries no messages of its own (every issue reads
 * "Invalid input"), so the parses whose issues a user sees (config errors, 4xx bodies, registry
 * documents) pass zod's English messages (its `en` locale, about 2 KB) for that one parse.
 *
 * A runtime that allows code generation (Node) may compile the schemas it parses often: zod's
 * `compile` turns a schema into a generated function (about 20 times faster on a distribution
 * envelope) that hands failing input to the interpreter, so values and issues stay the same.
 * Compiling a schema costs milliseconds, so only a schema parsed `after` times is compiled (the
 * webhook bodies, registry documents); the config, parsed once, is not. Lambda keeps zod's
 * compiler out of its bundle and Workers forbid code generation: both interpret.
 */
import * as z from 'zod/mini'
import { en } from 'zod/locales'

const english = en().localeError

/** The parsed value, or every issue as `path: message` (`(root)` for the value itself). */
export type SchemaResult<T> = { ok: true; value: T } | { ok: false; issues: string[] }

/** How a runtime compiles hot schemas: zod's `compile`, from the `after`-th parse of a schema on. */
export interface SchemaCompiler {
  compile: <S extends z.ZodMiniType>(schema: S) => S
  after: number
}

let compiler: SchemaCompiler | undefined
// Per schema: how often it was parsed, or its compiled form once it has one.
let tiers = new WeakMap<z.ZodMiniType, number | z.ZodMiniType>()

/** Installs (or, with undefined, removes) the compiler for hot schemas; the composition root's call. */
export function setSchemaCompiler(next: SchemaCompiler | undefined): void {
  compiler = next
  tiers = new WeakMap()
}

/** Validates `input` against `schema`. */
export function parseWithSchema<T>(schema: z.ZodMiniType<T>, input: unknown): SchemaResult<T> {
  const result = selectTier(schema).safeParse(input, { error: english })
  if (result.success) return { ok: true, value: result.data }
  return { ok: false, issues: result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) }
}

function selectTier<T>(schema: z.ZodMiniType<T>): z.ZodMiniType<T> {
  if (!compiler) return schema
  const tier = tiers.get(schema)
  if (typeof tier === 'object') return tier as z.ZodMiniType<T>
  const parses = (tier ?? 0) + 1
  if (parses < compiler.after) {
    tiers.set(schema, parses)
    return schema
  }
  // zod's compile never throws: a schema it cannot compile comes back as it is.
  const compiled = compiler.compile(schema)
  tiers.set(schema, compiled)
  return compiled
}
