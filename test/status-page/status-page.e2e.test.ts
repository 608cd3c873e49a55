// The status page in a real browser (Debian's chromium driven by playwright-core) after a real
// publish on the loopback registry: the sign-in flow, the version x platform matrix, a refused arch
// with its reason, what latest points at; screenshots at desktop and phone widths; no console errors.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exampleConfig, startE2EStack, WEBHOOK_TOKEN, type E2EStack } from '../support/e2e-stack.ts'
import { pushImage } from '../support/skopeo.ts'
import { CHROMIUM_BIN, describeWithTools } from '../support/tools.ts'

const SHOTS = resolve(import.meta.dirname, '../../test-results')

describeWithTools(['docker-registry', 'skopeo', 'chromium'], 'status page in headless Chromium', () => {
  let stack: E2EStack
  let browser: Browser
  let appStatus: any
  const app = () => `${stack.host}/demo/app`
  const suffix = () => `${stack.host}/demo/suffix`

  beforeAll(async () => {
    stack = await startE2EStack({ config: (host) => exampleConfig(host, { server: { sweepIntervalSeconds: 0, adminToken: WEBHOOK_TOKEN } }) })
    for (const [arch, platform] of [['amd64', 'linux/amd64'], ['arm64', 'linux/arm64'], ['armv7', 'linux/arm/v7']] as const) {
      await pushImage(`${app()}-${arch}:v1.0.2`, { platform, seed: `page-${arch}` })
    }
    appStatus = await stack.waitForVersion(app(), 'v1.0.2', (v) => v.state === 'published')
    await pushImage(`${suffix()}:v2.0.0-amd64`, { platform: 'linux/amd64', seed: 'page-v2-amd' })
    await pushImage(`${suffix()}:v2.0.0-arm64`, { platform: 'linux/amd64', seed: 'page-v2-really-amd' })
    await stack.waitForVersion(suffix(), 'v2.0.0', (v) => v.state === 'refused')
    browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: ['--no-sandbox'] })
    mkdirSync(SHOTS, { recursive: true })
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
  })

  // Every console error and uncaught page error of a context.
  function watchErrors(page: Page): string[] {
    const errors: string[] = []
    page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())))
    page.on('pageerror', (error) => void errors.push(error.message))
    return errors
  }

  async function signIn(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage()
    const errors = watchErrors(page)
    await page.goto(stack.server.url)
    await page.fill('#token', WEBHOOK_TOKEN)
    await Promise.all([page.waitForURL(`${stack.server.url}/`), page.click('button[type=submit]')])
    return { page, errors }
  }

  it('signs in once with the admin token (HttpOnly, SameSite=Strict cookie, never in a URL) and works without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } })
    const visited: string[] = []
    context.on('request', (request) => void visited.push(request.url()))
    const { page, errors } = await signIn(context)
    expect(page.url()).toBe(`${stack.server.url}/`)
    const cookies = await context.cookies()
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['mh_status', true, 'Strict']])
    expect(cookies[0]?.value).not.toContain(WEBHOOK_TOKEN)
    expect(visited.filter((url) => url.includes(WEBHOOK_TOKEN))).toEqual([])
    // Only the page itself: no script, stylesheet, font or icon is fetched.
    expect(new Set(visited)).toEqual(new Set([`${stack.server.url}/`, `${stack.server.url}/login`]))

    const appRow = page.locator('section.image', { hasText: app() }).locator('tr[data-version="v1.0.2"]')
    expect(await appRow.locator('.state').textContent()).toBe('published')
    expect(await appRow.locator('td.cell-arrived').count()).toBe(3)
    expect(await appRow.locator('td').last().locator('code').getAttribute('title')).toBe(appStatus.published.digest)
    const latest = page.locator('section.image', { hasText: app() }).locator('tr[data-tag="latest"]')
    expect(await latest.locator('td').first().textContent()).toBe('v1.0.2')
    expect(await latest.locator('code').getAttribute('title')).toBe(appStatus.published.digest)
    const refusedRow = page.locator('section.image', { hasText: suffix() }).locator('tr[data-version="v2.0.0"]')
    expect(await refusedRow.locator('.state').textContent()).toBe('refused')
    expect(await refusedRow.locator('td.cell-refused').textContent()).toContain('refused: named for linux/arm64 but its image config says linux/amd64')
    expect(await refusedRow.locator('td.cell-arrived').count()).toBe(1)
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('30')
    await page.screenshot({ path: join(SHOTS, 'status-page-desktop.png'), fullPage: true })

    await Promise.all([page.waitForURL(`${stack.server.url}/`), page.click('text=Sign out')])
    expect(await page.locator('#token').count()).toBe(1)
    expect(await context.cookies()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('fits a phone: the tables scroll inside the page, which does not overflow', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    const { page, errors } = await signIn(context)
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }))
    expect(widths.page).toBe(widths.viewport)
    expect(await page.locator('tr[data-version="v1.0.2"] td.cell-arrived').count()).toBe(3)
    await page.screenshot({ path: join(SHOTS, 'status-page-phone.png'), fullPage: true })
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('refuses a wrong token and shows nothing of the status', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(stack.server.url)
    await page.fill('#token', 'not-the-token')
    await Promise.all([page.waitForURL(`${stack.server.url}/login`), page.click('button[type=submit]')])
    expect(await page.locator('[role=alert]').textContent()).toBe('That is not the admin token.')
    expect(await page.locator('section.image').count()).toBe(0)
    expect(await context.cookies()).toEqual([])
    await context.close()
  }, 30_000)
})
