// dynalite 4 ships no types; what test/support/aws/dynalite.ts uses of it.
declare module 'dynalite' {
  import type { Server } from 'node:http'
  export default function dynalite(options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }): Server
}
