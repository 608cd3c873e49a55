// A loopback reverse proxy that records every request it forwards (method, path, status, timing).
// Used by the bench to count registry requests per client (ours and docker's) and to time them.
// The Host header is passed through unchanged, so upload Locations the registry builds from it
// keep pointing at the proxy.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ProxiedRequest {
  method: string
  path: string
  status: number
  /** performance.now() when the request arrived and when its response finished. */
  startedAt: number
  finishedAt: number
}

export interface RecordingProxy {
  host: string
  url: string
  requests: ProxiedRequest[]
  close(): Promise<void>
}

/** Starts a proxy on 127.0.0.1 forwarding to `target` (e.g. "http://127.0.0.1:5000"). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target)
  const requests: ProxiedRequest[] = []
  const server = createServer((req, res) => forward(req, res, upstream, requests))
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, requests: ProxiedRequest[]): void {
  const startedAt = performance.now()
  const outgoing = httpRequest(
    { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.rawHeaders as unknown as Record<string, string>)
      response.pipe(res)
      res.on('finish', () => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', status: response.statusCode ?? 0, startedAt, finishedAt: performance.now() })
      })
    },
  )
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502)
    res.end()
    requests.push({ method: req.method ?? '', path: req.url ?? '', status: 502, startedAt, finishedAt: performance.now() })
  })
  req.pipe(outgoing)
}
