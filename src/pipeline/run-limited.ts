/**
 * runLimited: runs `work` over `items` with at most `limit` in flight, in order of start; resolves
 * when all have settled. `work` handles its own errors (a rejection stops nothing and is rethrown
 * once everything has settled).
 */
export async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const failures: unknown[] = []
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T
      await work(item).catch((error: unknown) => void failures.push(error))
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failures.length > 0) throw failures[0]
}
