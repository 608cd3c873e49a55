/**
 * The Durable Object of one image (`IMAGES.idFromName(target)`), and of the global keys (the
 * "#global" object: the sweep record). It owns its partition's state in its SQLite storage and
 * answers store calls over RPC.
 */
import { DurableObject } from 'cloudflare:workers'
import type { StateStore } from '../../state/store.ts'
import { createDurableObjectStore } from './durable-object-store.ts'
import type { DurableObjectState } from './workers-types.ts'

/** The store calls an object answers over RPC. */
export type StoreMethods = Pick<StateStore, 'load' | 'save' | 'delete' | 'list'>

export class ImageObject extends DurableObject implements StoreMethods {
  readonly #store: StateStore

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env)
    this.#store = createDurableObjectStore(ctx.storage.sql)
  }

  load(key: string) {
    return this.#store.load(key)
  }
  save(...args: Parameters<StateStore['save']>) {
    return this.#store.save(...args)
  }
  delete(key: string, expectedVersion: number) {
    return this.#store.delete(key, expectedVersion)
  }
  list(...args: Parameters<StateStore['list']>) {
    return this.#store.list(...args)
  }
}
