import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Response as UndiciResponse } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUndiciFetch } from '../../../src/runtime/node/undici-fetch.ts'
import { getFreePort } from '../../support/free-port.ts'

const BIG = 1024 * 1024
const bigBody = new Uint8Array(BIG).map((_, i) => i % 251)

// One loopback server answering each path the way a registry (or a broken network) would.
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/small': (_req, res) => {
    res.setHeader('Set-Cookie', ['a=1', 'b=2'])
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '11', 'Docker-Content-Digest': 'sha256:abc' })
    res.end('{"ok":true}')
  },
  '/big': (_req, res) => {
    res.writeHead(200, { 'Content-Length': String(BIG) })
    res.end(bigBody)
  },
  '/unsized': (_req, res) => {
    res.writeHead(200) // chunked transfer encoding
    res.write('part one, ')
    res.end('part two')
  },
  '/slow': (_req, res) => {
    res.writeHead(200) // unsized, dripping in like a slow registry
    let sent = 0
    const timer = setInterval(() => {
      if (res.destroyed || sent++ === 20) return clearInterval(timer), res.end()
      res.write('x'.repeat(1024))
    }, 2)
  },
  '/refuse-upload': (_req, res) => {
    res.writeHead(500, { Connection: 'close' })
    res.end()
  },
  '/redirect': (_req, res) => {
    res.writeHead(302, { Location: '/small' })
    res.end()
  },
  '/empty': (_req, res) => {
    res.writeHead(204)
    res.end()
  },
  '/cut-small': (_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' })
    res.write('only half of it')
    setTimeout(() => res.destroy(), 10)
  },
  '/cut-big': (_req, res) => {
    res.writeHead(200, { 'Content-Length': String(BIG) })
    res.write(bigBody.subarray(0, BIG / 2))
    setTimeout(() => res.destroy(), 10)
  },
  '/silent': () => {
    // Accepts the request and never answers (the socket is closed when the client gives up).
  },
  '/trickle': (_req, res) => {
    res.writeHead(200) // headers at once, then a byte every 20 ms for ever
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 20)
  },
  '/echo': (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      res.writeHead(201, { 'Content-Length': String(body.length), 'X-Method': req.method ?? '', 'X-Agent': req.headers['user-agent'] ?? '' })
      res.end(body)
    })
  },
}

let server: Server
let base: string
const fetchVia = createUndiciFetch()
const manual = { redirect: 'manual' } as const

beforeAll(async () => {
  server = createServer((req, res) => (routes[new URL(req.url ?? '/', 'http://x').pathname] ?? routes['/empty'])?.(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('createUndiciFetch (the Node registry client fetch over undici request())', () => {
  it('answers a small GET with its status, every header value and the body', async () => {
    const response = await fetchVia(new URL(`${base}/small?x=1`), { ...manual, headers: { Accept: 'application/json' } })
    // The class undici's own fetch returns, so callers see one Response either way.
    expect(response).toBeInstanceOf(UndiciResponse)
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-content-digest')).toBe('sha256:abc')
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(await response.json()).toEqual({ ok: true })
  })

  it('answers HEAD and 204 with a null body and the headers kept', async () => {
    const head = await fetchVia(`${base}/small`, { ...manual, method: 'HEAD' })
    expect([head.status, head.body, head.headers.get('content-length')]).toEqual([200, null, '11'])
    const empty = await fetchVia(`${base}/empty`, manual)
    expect([empty.status, empty.body]).toEqual([204, null])
  })

  it('streams large and unsized bodies', async () => {
    const big = await fetchVia(`${base}/big`, manual)
    let chunks = 0
    let total = 0
    const reader = (big.body as ReadableStream<Uint8Array>).getReader()
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks++
      total += read.value.byteLength
    }
    expect(total).toBe(BIG)
    expect(chunks).toBeGreaterThan(1)
    expect(await (await fetchVia(`${base}/unsized`, manual)).text()).toBe('part one, part two')
  })

  it('releases streamed bodies cancelled while data is still arriving, and keeps working', async () => {
    for (let round = 0; round < 10; round++) {
      const slow = await fetchVia(`${base}/slow`, manual)
      const reader = (slow.body as ReadableStream<Uint8Array>).getReader()
      await reader.read()
      await reader.cancel()
      // An upload refused before its body was read stops reading (cancels) the streamed source.
      const source = await fetchVia(`${base}/big`, manual)
      const init = { ...manual, method: 'PUT', headers: { 'Content-Length': String(BIG) }, body: source.body, duplex: 'half' }
      await fetchVia(`${base}/refuse-upload`, init as RequestInit).then((response) => response.body?.cancel(), () => undefined)
    }
    // Anything still arriving for a cancelled body must not surface as an uncaught error (the run fails).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await (await fetchVia(`${base}/small`, manual)).json()).toEqual({ ok: true })
  })

  it('sends byte and stream bodies', async () => {
    const bytes = await fetchVia(`${base}/echo`, { ...manual, method: 'PUT', headers: { 'User-Agent': 'mh-test' }, body: new TextEncoder().encode('bytes') })
    expect([bytes.status, bytes.headers.get('x-method'), bytes.headers.get('x-agent'), await bytes.text()]).toEqual([201, 'PUT', 'mh-test', 'bytes'])
    const source = await fetchVia(`${base}/big`, manual)
    const init = { ...manual, method: 'PUT', headers: { 'Content-Length': String(BIG) }, body: source.body, duplex: 'half' }
    const streamed = await fetchVia(`${base}/echo`, init as RequestInit)
    expect(new Uint8Array(await streamed.arrayBuffer())).toEqual(bigBody)
  })

  it('leaves redirects to the caller, and follows them when not asked for manual ones (undici fetch)', async () => {
    const redirect = await fetchVia(`${base}/redirect`, manual)
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/small'])
    await redirect.body?.cancel()
    const followed = await fetchVia(`${base}/redirect`)
    expect([followed.status, await followed.text()]).toEqual([200, '{"ok":true}'])
  })

  it('aborts on the signal, as fetch does: before the headers and while the body streams', async () => {
    const waiting = new AbortController()
    setTimeout(() => waiting.abort(new Error('gave up waiting')), 100)
    const started = performance.now()
    await expect(fetchVia(`${base}/silent`, { ...manual, signal: waiting.signal })).rejects.toThrow('gave up waiting')
    expect(performance.now() - started).toBeLessThan(300)
    const reading = new AbortController()
    const response = await fetchVia(`${base}/trickle`, { ...manual, signal: reading.signal })
    const reader = response.body!.getReader()
    await reader.read()
    reading.abort(new Error('deadline'))
    await expect((async () => { for (;;) if ((await reader.read()).done) return })()).rejects.toThrow()
    expect((await (await fetchVia(`${base}/small`, manual)).json())).toEqual({ ok: true })
  })

  it('rejects network failures with a TypeError, as fetch does', async () => {
    // A port nothing listens on any more.
    const port = await getFreePort()
    const refused = await fetchVia(`http://127.0.0.1:${port}/`, manual).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(TypeError)
    expect((refused as TypeError).cause).toBeDefined()
  })

  it('reports a body cut short: a small one when fetching, a streamed one when reading', async () => {
    await expect(fetchVia(`${base}/cut-small`, manual)).rejects.toBeInstanceOf(TypeError)
    const big = await fetchVia(`${base}/cut-big`, manual)
    expect(big.status).toBe(200)
    await expect(big.arrayBuffer()).rejects.toThrow()
  })
})
