// The `cloudflare:workers` module of workerd, as far as this runtime uses it: RPC methods on a
// Durable Object need the class to extend this base. Subclasses keep their own typed references
// to the state and env (workers-types.ts) instead of the base's fields.
declare module 'cloudflare:workers' {
  export abstract class DurableObject {
    constructor(ctx: unknown, env: unknown)
  }
}
