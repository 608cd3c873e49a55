import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createSqliteStore } from '../../src/state/sqlite-store.ts'
import { saveInOrder } from '../../src/state/store.ts'
import { describeStoreContract } from './store-contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'mh-sqlite-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeStoreContract('sqlite store', (now) => createSqliteStore(join(dir, `contract-${n++}.db`), { now }))

describe('sqlite store durability', () => {
  it('commits the writes of saveTogether in one transaction (one COMMIT, one fsync)', async () => {
    const store = createSqliteStore(join(dir, 'together.db'))
    const exec = vi.spyOn(DatabaseSync.prototype, 'exec')
    try {
      const writes = [
        { key: 'recent/app/2026-01-01T00:00:00.000Z/v1', value: { version: 'v1' }, expectedVersion: 0 },
        { key: 'version/app/v1', value: { arrived: ['linux/amd64'] }, expectedVersion: 0 },
      ]
      expect(await saveInOrder(store, writes)).toEqual([{ ok: true, version: 1 }, { ok: true, version: 1 }])
      expect(exec.mock.calls.filter(([sql]) => sql === 'COMMIT')).toHaveLength(1)
    } finally {
      exec.mockRestore()
      await store.close?.()
    }
  })

  it('commits a batch of only durable: false saves with synchronous=NORMAL, any batch holding a durable write with FULL', async () => {
    const path = join(dir, 'relaxed.db')
    const commits: { writes: number; synced: boolean }[] = []
    const store = createSqliteStore(path, { onCommit: (commit) => commits.push(commit) })
    const exec = vi.spyOn(DatabaseSync.prototype, 'exec')
    try {
      await store.save('a', 1, 0, { durable: false })
      await Promise.all([store.save('b', 2, 0, { durable: false }), store.save('c', 3, 0)])
      await store.save('d', 4, 0, { durable: false })
      await store.save('e', 5, 0, { durable: false })
      await store.delete('e', 1)
      await store.save('f', 6, 0)
      expect(commits).toEqual([
        { writes: 1, synced: false },
        { writes: 2, synced: true },
        { writes: 1, synced: false },
        { writes: 1, synced: false },
        { writes: 1, synced: true },
        { writes: 1, synced: true },
      ])
      const sql = exec.mock.calls.map(([text]) => text).filter((text) => text.startsWith('PRAGMA synchronous') || text === 'COMMIT')
      expect(sql).toEqual(['PRAGMA synchronous = NORMAL;', 'COMMIT', 'PRAGMA synchronous = FULL;', 'COMMIT', 'PRAGMA synchronous = NORMAL;', 'COMMIT', 'COMMIT', 'PRAGMA synchronous = FULL;', 'COMMIT', 'COMMIT'])
      await store.save('g', 7, 0, { durable: false })
      // Not fsynced is still written to the WAL: another connection reads it while this one is open
      // (closing would checkpoint and sync first, proving less), as a process after a SIGKILL would.
      const other = new DatabaseSync(path, { readOnly: true })
      const rows = other.prepare('SELECT key, value FROM state ORDER BY key').all()
      other.close()
      expect(rows.map((row) => `${row.key}=${row.value}`)).toEqual(['a=1', 'b=2', 'c=3', 'd=4', 'f=6', 'g=7'])
    } finally {
      exec.mockRestore()
      await store.close?.()
    }
  })

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

  it('opens a state file written before expiry existed, keeping its rows', async () => {
    const path = join(dir, 'before-expiry.db')
    const old = new DatabaseSync(path)
    old.exec('CREATE TABLE state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL) STRICT')
    old.prepare('INSERT INTO state (key, version, value) VALUES (?, ?, ?)').run('version/app/v1', 3, '{"kept":true}')
    old.close()
    const store = createSqliteStore(path, { now: () => 1_000 })
    expect(await store.load('version/app/v1')).toEqual({ value: { kept: true }, version: 3 })
    expect(await store.save('version/app/v1', { kept: false }, 3, { expiresAt: 2_000 })).toEqual({ ok: true, version: 4 })
    expect(await store.list('version/app/')).toEqual({ keys: ['version/app/v1'] })
    await store.close?.()
  })
})
