// Starts a test or bench server on 127.0.0.1 (a free port the OS picks) and stops it without
// waiting for idle keep-alive connections to time out.
import type { Server } from 'node:http'
import { HarnessError } from './tools.ts'

export interface LoopbackListener {
  port: number
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Closes every connection, then the server. */
  close(): Promise<void>
}

export async function listenLoopback(server: Server): Promise<LoopbackListener> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new HarnessError('a loopback server has no TCP address')
  const close = async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  return { port: address.port, url: `http://127.0.0.1:${address.port}`, close }
}
