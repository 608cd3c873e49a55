/**
 * A StateStore whose every call goes to the Durable Object that owns the key's partition
 * (`partitionOf(key)`: the image, or "#global"), or stays in `local` when this object owns it.
 * The Worker's handlers run on it; an object runs on its own SQLite store plus this routing for
 * keys of other partitions. A `list` prefix never spans partitions (store.ts), so it goes to one.
 */
import { partitionOf, type StateStore } from '../../state/store.ts'
import type { StoreMethods } from './image-object.ts'

/** Creates the store; `objectFor(partition)` returns the object's stub. */
export function createRoutedStore(objectFor: (partition: string) => StoreMethods, local?: { partition: string; store: StateStore }): StateStore {
  const target = (key: string): StoreMethods => {
    const partition = partitionOf(key)
    return local && partition === local.partition ? local.store : objectFor(partition)
  }
  return {
    load: (key) => target(key).load(key),
    save: (key, value, expectedVersion, options) => target(key).save(key, value, expectedVersion, options),
    delete: (key, expectedVersion) => target(key).delete(key, expectedVersion),
    list: (prefix, options) => target(prefix).list(prefix, options),
  }
}
