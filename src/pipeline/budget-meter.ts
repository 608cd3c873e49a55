/**
 * Measures one call against its budget (deps.budget): the registry calls started through the
 * returned deps, and the clock. A registry call is one request or a few (a token, a retry, a
 * blob copy's mount), so a runtime sets `requests` with that headroom.
 */
import type { Deps } from '../deps.ts'

export interface BudgetMeter {
  /** The deps whose registry calls are counted. */
  deps: Deps
  /** True once the calls reach `budget.requests` or the clock `budget.deadline`. */
  exhausted(): boolean
}

/** Starts measuring `deps`' budget. */
export function meterBudget(deps: Deps): BudgetMeter {
  let calls = 0
  const registry = new Proxy(deps.registry, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls++
        return value.apply(target, args)
      }
    },
  })
  return { deps: { ...deps, registry }, exhausted: () => calls >= deps.budget.requests || deps.now().getTime() >= deps.budget.deadline }
}
