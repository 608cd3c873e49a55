/**
 * A value that must never reach a log line, an error message or a JSON body.
 * Printing, serialising or inspecting it yields a placeholder; `reveal()` is the only way out.
 */
const REDACTED = '[redacted]'

/** Wraps a credential so that accidental printing shows a placeholder. */
export class Secret {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  /** Returns the real value; call it only where the value goes on the wire. */
  reveal(): string {
    return this.#value
  }
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED
  }
}
