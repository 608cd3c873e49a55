/**
 * The Cloudflare Workers entry (infra/cloudflare/wrangler.jsonc). fetch: the Hono app, which hands
 * a webhook's arrivals to each image's Durable Object (answered 202 once every object has stored
 * them and queued their work) and reads state from the objects for status. scheduled: the Cron
 * Trigger hands a sweep item to the "#global" object, whose alarm fans it out to the image objects.
 */
import { LinearRouter } from 'hono/router/linear-router'
import { createApp } from '../../app.ts'
import { isAppError } from '../../errors.ts'
import { createSubrequestBudget, parseSubrequestLimit } from './subrequest-budget.ts'
import { createWorkerDeps, type WorkerEnv } from './worker-deps.ts'
import type { ExecutionContext, ScheduledController } from './workers-types.ts'

export { ImageObject } from './image-object.ts'

// A webhook sender waits about 10 s for an answer; the request's own work is calls to objects only.
const REQUEST_WALL_MS = 30_000

function invocation(env: WorkerEnv) {
  return { budget: createSubrequestBudget(parseSubrequestLimit(env.MANIFEST_HOOK_SUBREQUESTS)), deadline: Date.now() + REQUEST_WALL_MS }
}

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    try {
      // An app per request: LinearRouter adds the routes without compiling them (app.ts).
      return await createApp(createWorkerDeps(env, invocation(env)), () => new LinearRouter()).fetch(request)
    } catch (error) {
      // Only a configuration that does not parse gets here: every request says why.
      const message = isAppError(error) ? error.message : 'internal error'
      console.error(JSON.stringify({ level: 'error', msg: 'cannot serve', error: message }))
      return Response.json({ error: { code: isAppError(error) ? error.code : 'INTERNAL', message } }, { status: 500 })
    }
  },

  async scheduled(_controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(createWorkerDeps(env, invocation(env)).work.enqueue({ kind: 'sweep' }))
  },
}
