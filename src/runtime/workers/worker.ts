/**
 * The Cloudflare Workers entry (infra/cloudflare/wrangler.jsonc). The webhook and sweep handlers
 * follow with the work items of issue 13; until then every request is answered 501.
 */
export { ImageObject } from './image-object.ts'

export default {
  async fetch(): Promise<Response> {
    return Response.json({ error: { code: 'NOT_IMPLEMENTED', message: 'the Workers runtime serves webhooks once work items land' } }, { status: 501 })
  },
}
