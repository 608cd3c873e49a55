import { afterEach, describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { parseWithSchema, setSchemaCompiler } from '../../src/core/parse-with-schema.ts'

afterEach(() => setSchemaCompiler(undefined))

describe('parseWithSchema', () => {
  const point = z.object({ x: z.number(), y: z.number() })

  it('returns the value, or every issue in English with its path', () => {
    expect(parseWithSchema(point, { x: 1, y: 2 })).toEqual({ ok: true, value: { x: 1, y: 2 } })
    expect(parseWithSchema(point, { x: '1' })).toEqual({ ok: false, issues: ['x: Invalid input: expected number, received string', 'y: Invalid input: expected number, received undefined'] })
    expect(parseWithSchema(point, 7)).toEqual({ ok: false, issues: ['(root): Invalid input: expected object, received number'] })
  })

  it('compiles a schema at its `after`-th parse, once, and parses with the compiled form from then on', () => {
    const calls: unknown[] = []
    // A stand-in compiler whose "compiled" schema also refuses y = 0, so which form parsed is visible.
    const compile = <S extends z.ZodMiniType>(schema: S): S => (calls.push(schema), z.pipe(schema, z.custom((v) => (v as { y: number }).y !== 0)) as unknown as S)
    setSchemaCompiler({ compile, after: 3 })
    const zero = { x: 1, y: 0 }
    expect([parseWithSchema(point, zero).ok, parseWithSchema(point, zero).ok]).toEqual([true, true])
    expect(calls).toEqual([])
    expect(parseWithSchema(point, zero).ok).toBe(false)
    expect(parseWithSchema(point, { x: 1, y: 1 }).ok).toBe(true)
    expect(calls).toEqual([point])
    // Counted per schema.
    const other = z.object({ y: z.number() })
    parseWithSchema(other, zero)
    expect(calls).toEqual([point])
    // Removed: interpreted again.
    setSchemaCompiler(undefined)
    expect(parseWithSchema(point, zero).ok).toBe(true)
  })
})
