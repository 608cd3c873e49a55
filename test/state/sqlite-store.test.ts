import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../../src/state/sqlite-store.ts'
import { describeStoreContract } from './store-contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'mh-sqlite-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreContract('sqlite store', () => createSqliteStore(join(dir, `contract-${n++}.db`)))

describe('sqlite store durability', () => {
  it('survives a restart (close and reopen)', async () => {
    const path = join(dir, 'restart', 'state.db')
    const first = createSqliteStore(path)
    await first.save('version/app/v1', { arrived: ['linux/amd64'] }, 0)
    await first.close?.()
    const second = createSqliteStore(path)
    expect(await second.load('version/app/v1')).toEqual({ value: { arrived: ['linux/amd64'] }, version: 1 })
    expect(await second.save('version/app/v1', { arrived: [] }, 0)).toEqual({ ok: false, reason: 'conflict' })
    await second.close?.()
  })

  it('lets two connections to one file see each other and conflict correctly', async () => {
    const path = join(dir, 'shared.db')
    const a = createSqliteStore(path)
    const b = createSqliteStore(path)
    await a.save('k', { by: 'a' }, 0)
    expect(await b.load('k')).toEqual({ value: { by: 'a' }, version: 1 })
    expect(await b.save('k', { by: 'b' }, 1)).toEqual({ ok: true, version: 2 })
    expect(await a.save('k', { by: 'a again' }, 1)).toEqual({ ok: false, reason: 'conflict' })
    await a.close?.()
    await b.close?.()
  })
})
