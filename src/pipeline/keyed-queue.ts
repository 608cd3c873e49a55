/**
 * Per-key serialisation inside one process: tasks for the same key run one after another, tasks
 * for different keys run concurrently. Avoids duplicate registry work when two arches of one
 * version arrive at once; correctness across processes still rests on the store's versions.
 */

/** Creates a `serialize(key, task)` function with its own queue map. */
export function createKeyedQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>()
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve()
    const run = previous.then(() => task())
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}
