/** Returns a function that creates the value once, on its first call (a failed creation is retried next time). */
export function once<T>(create: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () => (pending ??= create().catch((error: unknown) => {
    pending = undefined
    throw error
  }))
}
