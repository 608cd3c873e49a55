import { describe, expect, it } from 'vitest'
import { createJsonLogger } from '../../../src/log.ts'
import { createLambdaWork, MAX_HOPS } from '../../../src/runtime/lambda/lambda-work.ts'

function setup(hop: number) {
  const invoked: unknown[] = []
  const logs: string[] = []
  const work = createLambdaWork({ hop, log: createJsonLogger((line) => logs.push(line), 'debug'), invoke: async (payload) => void invoked.push(JSON.parse(payload)) })
  return { work, invoked, logs }
}

describe('Lambda work hand-offs', () => {
  it('hands each item on once, one level deeper', async () => {
    const { work, invoked } = setup(2)
    await work.enqueue({ kind: 'process', image: 'r.example/app', version: 'v1' })
    await work.enqueue({ kind: 'process', image: 'r.example/app', version: 'v1' })
    await work.enqueue({ kind: 'recover', image: 'r.example/app', skip: ['v1'] })
    expect(invoked).toEqual([
      { kind: 'manifest-hook.work', hop: 3, item: { kind: 'process', image: 'r.example/app', version: 'v1' } },
      { kind: 'manifest-hook.work', hop: 3, item: { kind: 'recover', image: 'r.example/app', skip: ['v1'] } },
    ])
  })

  it(`leaves work for the scheduled sweep instead of a hand-off deeper than ${MAX_HOPS} (Lambda stops chains at 16)`, async () => {
    const { work, invoked, logs } = setup(MAX_HOPS)
    await work.enqueue({ kind: 'sweep', image: 'r.example/app' })
    expect(invoked).toEqual([])
    expect(logs.map((line) => JSON.parse(line))).toMatchObject([{ level: 'warn', msg: 'work left for the scheduled sweep: hand-off chain too deep', work: 'sweep:r.example/app:due:', hop: MAX_HOPS + 1 }])
    expect(MAX_HOPS).toBeLessThan(16)
  })
})
