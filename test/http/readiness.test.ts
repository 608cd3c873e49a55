import { describe, expect, it } from 'vitest'
import { READINESS_KEY } from '../../src/http/readiness.ts'
import { createScenario } from '../support/scenario.ts'

describe('GET /readyz', () => {
  it('is ready when the store takes a write and images are configured, and leaves only an expiring probe', async () => {
    // The memory store expires entries by the host's clock, so the app's clock is the host's here.
    const { test } = createScenario({}, { clock: { now: new Date() } })
    const response = await test.request('/readyz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ready: true, store: { writable: true }, config: { loaded: true, images: 2 } })
    expect((await test.request('/readyz')).status).toBe(200)
    expect((await test.deps.store.load(READINESS_KEY))?.version).toBe(2)
  })

  it('is not ready (503) when the store fails to write, naming the error', async () => {
    const { test } = createScenario()
    test.deps.store.save = async () => {
      throw new Error('SQLITE_READONLY: attempt to write a readonly database')
    }
    const response = await test.request('/readyz')
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({
      ready: false,
      store: { writable: false, error: 'SQLITE_READONLY: attempt to write a readonly database' },
      config: { loaded: true, images: 2 },
    })
    expect(await (await test.request('/healthz')).json()).toEqual({ ok: true })
  })

  it('is not ready (503) without any configured image', async () => {
    const { test } = createScenario({ images: [] })
    const response = await test.request('/readyz')
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ ready: false, store: { writable: true }, config: { loaded: false, images: 0 } })
  })
})
