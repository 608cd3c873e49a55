import { describe, expect, it } from 'vitest'
import { isRebindingSafeHost } from '../../src/http/status-access.ts'
import { createScenario } from '../support/scenario.ts'

describe('GET /status access', () => {
  it('is closed without an admin token unless publicStatus opens it', async () => {
    const closed = createScenario({ server: {} })
    const refused = await closed.test.request('/status')
    expect(refused.status).toBe(403)
    expect((await refused.json()).error.message).toBe('GET /status is closed: set server.adminToken (or server.publicStatus: true)')
  })

  it('with publicStatus, answers an IP or localhost Host only (DNS rebinding sends the attacker\'s name)', async () => {
    const open = createScenario({ server: { publicStatus: true } })
    expect((await open.test.app.request('http://127.0.0.1:8080/status')).status).toBe(200)
    expect((await open.test.app.request('http://localhost:8080/status')).status).toBe(200)
    expect((await open.test.app.request('http://[::1]:8080/status')).status).toBe(200)
    expect((await open.test.app.request('http://rebind.attacker.example:8080/status')).status).toBe(403)
  })

  it('requires the admin token when one is set, under any Host', async () => {
    const s = createScenario()
    expect((await s.test.app.request('http://127.0.0.1/status')).status).toBe(401)
    expect((await s.test.app.request('http://rebind.attacker.example/status', { headers: { authorization: 'Bearer admin-token' } })).status).toBe(200)
  })

  it.each([
    ['127.0.0.1:8080', true],
    ['localhost', true],
    ['[::1]:80', true],
    ['evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.evil.example', false],
  ])('isRebindingSafeHost(%s) = %s', (host, safe) => {
    expect(isRebindingSafeHost(host)).toBe(safe)
  })
})
