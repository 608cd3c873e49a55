// `cloudflare:test` (@cloudflare/vitest-plugin) untyped here: ambient declarations cannot import
// the project's types; test/runtime/workers/workers-test-env.ts gives the typed views.
declare module 'cloudflare:test' {
  export const env: unknown
  export const SELF: unknown
  export function runInDurableObject(stub: unknown, callback: (instance: any, state: any) => unknown): Promise<any>
}
