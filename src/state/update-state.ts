/**
 * The optimistic read-modify-write loop over a StateStore: load, apply a pure change, save if
 * the version is unchanged, otherwise reload and apply again.
 */
import { StateConflictError, StateTooLargeError } from '../errors.ts'
import type { SaveOptions, StateStore, Versioned } from './store.ts'

/** Result of an update: the value now stored and whether this call changed it. */
export interface UpdateResult<T> {
  value: T | undefined
  changed: boolean
}

export interface UpdateOptions {
  attempts?: number
  /** What the caller just loaded for the key, used by the first attempt instead of loading again. */
  loaded?: Versioned | undefined
  /** Passed to every save (`durable: false` for what the registry can tell again). */
  save?: SaveOptions
}

/**
 * Applies `change` to the stored value until a save succeeds. `change` returns the new value, or
 * undefined to leave the stored value as it is. Throws StateConflictError after `attempts` losses,
 * StateTooLargeError when the new value is over MAX_VALUE_BYTES.
 */
export async function updateState<T>(
  store: StateStore,
  key: string,
  change: (current: T | undefined) => T | undefined,
  options: UpdateOptions = {},
): Promise<UpdateResult<T>> {
  const attempts = options.attempts ?? 10
  for (let attempt = 0; attempt < attempts; attempt++) {
    // A conflict always reloads.
    const loaded = (attempt === 0 ? options.loaded : undefined) ?? (await store.load(key))
    const current = loaded?.value as T | undefined
    const next = change(current)
    if (next === undefined) return { value: current, changed: false }
    const saved = await store.save(key, next, loaded?.version ?? 0, options.save)
    if (saved.ok) return { value: next, changed: true }
    if (saved.reason === 'too-large') throw new StateTooLargeError(`state for ${key} is over the store's size limit; not saved`)
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)))
  }
  throw new StateConflictError(`state for ${key} kept changing; gave up after ${attempts} attempts`)
}
