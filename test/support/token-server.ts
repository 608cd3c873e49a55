/**
 * A small token service for registry bearer auth (ES256 JWTs with an x5c header), node:http on
 * 127.0.0.1. Specs: https://distribution.github.io/distribution/spec/auth/token/ and .../spec/auth/jwt/
 */
import { createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listenLoopback } from './listen-loopback.ts'
import { runTool } from './tools.ts'

/** A running token service; pass realm/service/issuer/rootCertBundlePath to startRegistry({ token }). */
export interface TokenServer {
  realm: string
  service: string
  issuer: string
  rootCertBundlePath: string
  requests: { scopes: string[]; user?: string; at: number }[]
  setExpiresIn(seconds: number): void
  stop(): Promise<void>
}

/** Users (name -> password) and the grant policy; default grant: all for users, pull for anonymous. */
export interface StartTokenServerOptions {
  users: Record<string, string>
  grant?: (user: string | undefined, repository: string, requested: string[]) => string[]
  service?: string
  issuer?: string
}

interface Signer {
  key: KeyObject
  certDer: string
}

/** Starts the token service with a fresh self-signed EC P-256 signing certificate (made by openssl). */
export async function startTokenServer(options: StartTokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mh-token-'))
  try {
    const signer = await createSigner(dir)
    const state = { expiresIn: 300, requests: [] as TokenServer['requests'] }
    const service = options.service ?? 'manifest-hook-test-registry'
    const issuer = options.issuer ?? 'manifest-hook-test-issuer'
    const context = { ...options, service, issuer, signer, state }
    const server = createServer((req, res) => handleToken(context, req, res))
    const listener = await listenLoopback(server)
    const stop = async () => {
      await listener.close()
      await rm(dir, { recursive: true, force: true })
    }
    const realm = `${listener.url}/token`
    const rootCertBundlePath = join(dir, 'cert.pem')
    return { realm, service, issuer, rootCertBundlePath, requests: state.requests, setExpiresIn: (s) => void (state.expiresIn = s), stop }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

async function createSigner(dir: string): Promise<Signer> {
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  const subject = '/CN=manifest-hook-test-token-signer'
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await runTool('openssl', [...args, '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', subject], { timeoutMs: 15_000 })
  const key = createPrivateKey(await readFile(keyPath))
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString('base64')
  return { key, certDer }
}

type Context = StartTokenServerOptions & { service: string; issuer: string; signer: Signer; state: { expiresIn: number; requests: TokenServer['requests'] } }

function handleToken(context: Context, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (req.method !== 'GET' || url.pathname !== '/token') return void res.writeHead(404).end()
  const login = parseBasic(req.headers.authorization)
  if (login === 'invalid' || (login && context.users[login.user] !== login.password)) {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' })
    return void res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }))
  }
  // Clients repeat `scope`; some also join several scopes with spaces in one parameter.
  const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ')).filter(Boolean)
  const user = login?.user
  context.state.requests.push({ scopes, ...(user ? { user } : {}), at: Date.now() })
  const token = signToken(context, user, buildAccess(context, user, scopes))
  const now = new Date()
  const body = { token, access_token: token, expires_in: context.state.expiresIn, issued_at: now.toISOString() }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function parseBasic(header: string | undefined): { user: string; password: string } | 'invalid' | undefined {
  if (!header) return undefined
  const match = /^Basic\s+(\S+)$/i.exec(header)
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  return colon > 0 ? { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : 'invalid'
}

function buildAccess(context: Context, user: string | undefined, scopes: string[]) {
  const grant = context.grant ?? defaultGrant(context.users)
  return scopes.flatMap((scope) => {
    const parts = scope.split(':')
    if (parts.length < 3 || parts[0] !== 'repository') return []
    const name = parts.slice(1, -1).join(':')
    const actions = grant(user, name, (parts.at(-1) ?? '').split(',').filter(Boolean))
    return actions.length > 0 ? [{ type: 'repository', name, actions }] : []
  })
}

function defaultGrant(users: Record<string, string>): NonNullable<StartTokenServerOptions['grant']> {
  return (user, _repository, requested) =>
    user !== undefined && user in users ? requested : requested.filter((action) => action === 'pull')
}

// ES256 JWS signatures are raw r||s (64 bytes), not DER: https://www.rfc-editor.org/rfc/rfc7518#section-3.4
function signToken(context: Context, user: string | undefined, access: unknown[]): string {
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'ES256', x5c: [context.signer.certDer] }
  const claims = {
    iss: context.issuer,
    sub: user ?? '',
    aud: context.service,
    exp: now + context.state.expiresIn,
    nbf: now,
    iat: now,
    jti: randomBytes(12).toString('hex'),
    access,
  }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  const signature = sign('sha256', Buffer.from(signingInput), { key: context.signer.key, dsaEncoding: 'ieee-p1363' })
  return `${signingInput}.${signature.toString('base64url')}`
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}
