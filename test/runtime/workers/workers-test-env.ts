// Typed views of `cloudflare:test` for the workers project (see cloudflare-test.d.ts).
import * as cloudflareTest from 'cloudflare:test'
import type { ImageObject } from '../../../src/runtime/workers/image-object.ts'
import worker from '../../../src/runtime/workers/worker.ts'
import type { WorkerEnv } from '../../../src/runtime/workers/worker-deps.ts'
import type { DurableObjectNamespace, DurableObjectState, DurableObjectStub } from '../../../src/runtime/workers/workers-types.ts'

export type ImageStub = DurableObjectStub<ImageObject>

/** The Worker's bindings as the tests see them. */
export const env = cloudflareTest.env as { IMAGES: DurableObjectNamespace<ImageObject>; MANIFEST_HOOK_CONFIG: string }

/** The Worker under test (its default export) over HTTP. */
export const SELF = cloudflareTest.SELF as { fetch(input: string, init?: RequestInit): Promise<Response> }

/** Fires the Worker's scheduled handler as a Cron Trigger would, and waits for what it started. */
export async function fireCron(): Promise<void> {
  const pending: Promise<unknown>[] = []
  await worker.scheduled({ scheduledTime: Date.now(), cron: '* * * * *' }, env as unknown as WorkerEnv, { waitUntil: (promise) => void pending.push(promise) })
  await Promise.all(pending)
}

/** Runs `callback` inside the object's context, with the live instance and its state. */
export function runInObject<R>(stub: ImageStub, callback: (instance: ImageObject, state: DurableObjectState) => R | Promise<R>): Promise<R> {
  return cloudflareTest.runInDurableObject(stub, callback) as Promise<R>
}

/** The object for `name` (an image target or "#global"). */
export function objectFor(name: string): ImageStub {
  return env.IMAGES.get(env.IMAGES.idFromName(name))
}
