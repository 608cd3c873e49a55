/**
 * Picks a free TCP port on 127.0.0.1 for a server a test starts (the OS chooses; racy by nature,
 * so callers that spawn a server retry on "address already in use").
 */
import { createServer } from 'node:net'
import { HarnessError } from './tools.ts'

/** Binds 127.0.0.1:0, reads the port the OS gave, closes, and returns that port. */
export async function getFreePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new HarnessError('no TCP address from listen(0)')
  return address.port
}
