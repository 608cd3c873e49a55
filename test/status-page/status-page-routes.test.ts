import { describe, expect, it } from 'vitest'
import { createScenario } from '../support/scenario.ts'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe('status page routes', () => {
  it('without an admin token: closed (403) unless publicStatus, and then only under an IP or localhost Host', async () => {
    const closed = createScenario({ server: {} })
    const answer = await closed.test.request('/')
    expect(answer.status).toBe(403)
    expect(await answer.text()).toContain('The status page is closed: set server.adminToken (or server.publicStatus: true).')
    const open = createScenario({ server: { publicStatus: true } })
    expect((await open.test.app.request('http://127.0.0.1:8080/')).status).toBe(200)
    expect((await open.test.app.request('http://evil.example/')).status).toBe(403)
    expect((await open.test.request('/login', { method: 'POST', headers: FORM, body: 'token=x' })).status).toBe(404)
  })

  it('signs in only from its own origin, with a cookie that is not the token, and signs out', async () => {
    const { test } = createScenario()
    const foreign = await test.request('/login', { method: 'POST', headers: { ...FORM, origin: 'https://evil.example' }, body: 'token=admin-token' })
    expect(foreign.status).toBe(403)
    expect(foreign.headers.get('set-cookie')).toBeNull()
    const wrong = await test.request('/login', { method: 'POST', headers: FORM, body: 'token=admin-tokem' })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    const signed = await test.request('/login', { method: 'POST', headers: { ...FORM, origin: 'http://manifest-hook.test' }, body: 'token=admin-token' })
    expect(signed.status).toBe(303)
    expect(signed.headers.get('location')).toBe('/')
    const cookie = signed.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^mh_status=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/)
    const page = await test.request('/', { headers: { cookie: cookie.split(';')[0] ?? '' } })
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    expect(await page.text()).toContain('<h2>Last sweep</h2>')
    const forged = await test.request('/', { headers: { cookie: `mh_status=${'0'.repeat(64)}` } })
    expect(await forged.text()).toContain('id="token"')
    const out = await test.request('/logout', { method: 'POST' })
    expect(out.headers.get('set-cookie')).toBe('mh_status=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0')
  })
})
