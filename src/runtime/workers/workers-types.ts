/**
 * The few Cloudflare Workers runtime types this runtime uses, declared here instead of pulling
 * the generated `wrangler types` file (its globals clash with the DOM and Node types the rest of
 * the project compiles against). Shapes follow @cloudflare/workers-types. Types only.
 */

/** One value SQLite returns or binds. */
export type SqlValue = string | number | null | ArrayBuffer

/** A cursor over the rows of `sql.exec`. */
export interface SqlCursor<Row> extends Iterable<Row> {
  toArray(): Row[]
  one(): Row
  readonly rowsWritten: number
}

/** `ctx.storage.sql` of a SQLite-backed Durable Object. */
export interface SqlStorage {
  exec<Row extends Record<string, SqlValue> = Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<Row>
  readonly databaseSize: number
}

/** `ctx.storage` of a Durable Object. */
export interface DurableObjectStorage {
  readonly sql: SqlStorage
  transactionSync<T>(closure: () => T): T
  getAlarm(): Promise<number | null>
  setAlarm(scheduledTime: number): Promise<void>
  deleteAlarm(): Promise<void>
}

/** The state a Durable Object is constructed with. */
export interface DurableObjectState {
  readonly storage: DurableObjectStorage
  readonly id: DurableObjectId
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>
  waitUntil(promise: Promise<unknown>): void
}

export interface DurableObjectId {
  toString(): string
  readonly name?: string
}

/** The client side of an object's RPC methods: every call returns a promise. */
export type DurableObjectStub<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never
}

/** A Durable Object binding. */
export interface DurableObjectNamespace<T> {
  idFromName(name: string): DurableObjectId
  get(id: DurableObjectId): DurableObjectStub<T>
}

/** What a Cron Trigger passes to `scheduled`. */
export interface ScheduledController {
  readonly scheduledTime: number
  readonly cron: string
}

/** The context of one Worker invocation. */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void
}
