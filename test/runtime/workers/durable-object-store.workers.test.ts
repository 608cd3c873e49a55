// The store contract suite on Durable Object SQLite storage, inside workerd: each store call runs
// in the object's own context, as the object's RPC methods do.
import { createDurableObjectStore } from '../../../src/runtime/workers/durable-object-store.ts'
import type { StateStore } from '../../../src/state/store.ts'
import { describeStoreContract } from '../../state/store-contract.ts'
import { objectFor, runInObject, type ImageStub } from './workers-test-env.ts'

let n = 0

function storeInObject(stub: ImageStub, now: () => number): StateStore {
  const inObject = <T>(op: (store: StateStore) => Promise<T>) => runInObject(stub, (_instance, state) => op(createDurableObjectStore(state.storage.sql, now)))
  return {
    load: (key) => inObject((store) => store.load(key)),
    save: (key, value, expectedVersion, options) => inObject((store) => store.save(key, value, expectedVersion, options)),
    delete: (key, expectedVersion) => inObject((store) => store.delete(key, expectedVersion)),
    list: (prefix, options) => inObject((store) => store.list(prefix, options)),
  }
}

describeStoreContract('durable object store', (now) => storeInObject(objectFor(`contract-${n++}`), now))
