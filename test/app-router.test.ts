// The serverless runtimes build the app on LinearRouter, the Node server on RegExpRouter
// (app.ts): every route, method and path shape must be answered the same on both.
import { LinearRouter } from 'hono/router/linear-router'
import { describe, expect, it } from 'vitest'
import type { CreateAppRouter } from '../src/app.ts'
import { createNodeRouter } from '../src/runtime/node/node-router.ts'
import { createFakeRegistry } from './support/fake-registry.ts'
import { ADMIN_TOKEN, HOST, scenarioConfig } from './support/scenario.ts'
import { createTestApp, distributionBody, TOKEN } from './support/test-app.ts'

const EVENTS = { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${TOKEN}` }
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` }
const push = distributionBody([{ repository: 'demo/app-amd64', tag: 'v1.0.2' }])

// [method, path, headers, body, the status both routers answer]
const REQUESTS: [string, string, Record<string, string>, string | undefined, number][] = [
  ['GET', '/healthz', {}, undefined, 200],
  ['HEAD', '/healthz', {}, undefined, 200],
  ['PUT', '/healthz', {}, undefined, 404],
  ['GET', '/readyz', {}, undefined, 200],
  ['GET', '/nope', {}, undefined, 404],
  ['GET', '/status', {}, undefined, 401],
  ['GET', '/status', ADMIN, undefined, 200],
  ['POST', '/reconcile', {}, undefined, 401],
  ['GET', '/', {}, undefined, 200],
  ['POST', '/login', { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://manifest-hook.test' }, 'token=wrong', 401],
  ['POST', '/logout', { origin: 'http://manifest-hook.test' }, undefined, 303],
  ['POST', '/webhooks/distribution', EVENTS, push, 202],
  ['POST', '/webhooks/distribution', {}, push, 401],
  ['POST', '/webhooks/dockerhub/wrong-secret', { 'content-type': 'application/json' }, '{}', 401],
  ['POST', '/webhooks/dockerhub', { 'content-type': 'application/json' }, '{}', 401],
  ['POST', '/webhooks/distribution/one/two', EVENTS, push, 404],
  ['POST', '/webhooks/not-a-source', EVENTS, push, 404],
  ['GET', '/webhooks/distribution', {}, undefined, 404],
  ['POST', '/webhooks/', EVENTS, push, 404],
]

async function answer(router: CreateAppRouter, [method, path, headers, body]: (typeof REQUESTS)[number]) {
  const registry = createFakeRegistry({ host: HOST })
  const { request } = createTestApp(scenarioConfig(), { fetch: registry.fetch, router })
  const response = await request(path, { method, headers, ...(body === undefined ? {} : { body }) })
  return { status: response.status, location: response.headers.get('location'), body: await response.text() }
}

describe('app routers', () => {
  it.each(REQUESTS)('%s %s answers alike on RegExpRouter and LinearRouter', async (...request) => {
    const node = await answer(createNodeRouter, request)
    const linear = await answer(() => new LinearRouter(), request)
    expect(node.status).toBe(request[4])
    expect(linear).toEqual(node)
  })
})
