/**
 * Response bodies read with a byte cap (manifests, configs, error and token bodies), and release
 * of bodies we do not need so that pooled connections can be reused.
 */

/** A response body that ended early (connection reset or truncated): the whole call may be retried. */
export class BodyCutError extends Error {
  constructor(cause: unknown) {
    super('the response body ended early', { cause })
    this.name = 'BodyCutError'
  }
}

/** Reads the whole body when it is at most `maxBytes`; undefined (and the body cancelled) when larger. */
export async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) {
    await discardBody(response)
    return undefined
  }
  const { bytes, complete } = await readUpTo(response, maxBytes)
  return complete ? bytes : undefined
}

/** Reads at most `maxBytes` of the body and drops the rest (for error bodies). */
export async function readPrefix(response: Response, maxBytes: number): Promise<Uint8Array> {
  return (await readUpTo(response, maxBytes)).bytes
}

/** Releases a body we will not read; never throws. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel()
  } catch {
    // The body was already consumed or the stream errored: nothing left to release.
  }
}

async function readUpTo(response: Response, maxBytes: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), complete: true }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read().catch((error: unknown) => {
      throw new BodyCutError(error)
    })
    if (done) return { bytes: concat(chunks, total), complete: true }
    chunks.push(value)
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return { bytes: concat(chunks, total).subarray(0, maxBytes), complete: false }
    }
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
