// Typed views of `cloudflare:test` for the workers project (see cloudflare-test.d.ts).
import * as cloudflareTest from 'cloudflare:test'
import type { ImageObject } from '../../../src/runtime/workers/image-object.ts'
import type { DurableObjectNamespace, DurableObjectState, DurableObjectStub } from '../../../src/runtime/workers/workers-types.ts'

export type ImageStub = DurableObjectStub<ImageObject>

/** The Worker's bindings as the tests see them. */
export const env = cloudflareTest.env as { IMAGES: DurableObjectNamespace<ImageObject>; MANIFEST_HOOK_CONFIG: string }

/** The Worker under test (its default export). */
export const SELF = cloudflareTest.SELF as { fetch(input: string, init?: RequestInit): Promise<Response>; scheduled(options?: { scheduledTime?: number; cron?: string }): Promise<unknown> }

/** Runs `callback` inside the object's context, with the live instance and its state. */
export function runInObject<R>(stub: ImageStub, callback: (instance: ImageObject, state: DurableObjectState) => R | Promise<R>): Promise<R> {
  return cloudflareTest.runInDurableObject(stub, callback) as Promise<R>
}

/** Runs the object's alarm now if one is set; false when none was. */
export function runAlarm(stub: ImageStub): Promise<boolean> {
  return cloudflareTest.runDurableObjectAlarm(stub)
}

/** The object for `name` (an image target or "#global"). */
export function objectFor(name: string): ImageStub {
  return env.IMAGES.get(env.IMAGES.idFromName(name))
}
