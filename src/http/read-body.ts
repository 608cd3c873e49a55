/**
 * Reads a request body with a byte cap: a declared Content-Length is checked before anything is
 * read, a chunked body is read chunk by chunk and cancelled at the cap. A body that ends early
 * (client gone, the runtime's request timeout) is a refusal, not an internal error.
 */
import { PayloadTooLargeError, RequestAbortedError } from '../errors.ts'

/** Returns the whole body; throws PayloadTooLargeError beyond `max` bytes, RequestAbortedError when cut. */
export async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const tooLarge = () => new PayloadTooLargeError(`body exceeds ${max} bytes`)
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > max) throw tooLarge()
  const cut = (error: unknown) => {
    throw new RequestAbortedError('the request body was cut off', { cause: error })
  }
  // A declared length (within the cap) is read whole, before `request.body` is touched:
  // arrayBuffer() is the adapters' fast path (@hono/node-server reads the socket without
  // building a web Request and stream; reading `.body` alone builds both).
  if (Number.isFinite(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer().catch(cut))
    if (bytes.byteLength > max) throw tooLarge()
    return bytes
  }
  if (!request.body) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = request.body.getReader()
  for (;;) {
    const read = await reader.read().catch(cut)
    if (read.done) break
    total += read.value.byteLength
    if (total > max) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(read.value)
  }
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(total)
  chunks.reduce((offset, chunk) => (bytes.set(chunk, offset), offset + chunk.byteLength), 0)
  return bytes
}
