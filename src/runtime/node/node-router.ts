// The Node server's router: one app lives as long as the process, so RegExpRouter (hono's default
// pick, with TrieRouter for the routes it cannot take) compiles the routes once and matches fastest.
import { RegExpRouter } from 'hono/router/reg-exp-router'
import { SmartRouter } from 'hono/router/smart-router'
import { TrieRouter } from 'hono/router/trie-router'
import type { AppRouter } from '../../app.ts'

export function createNodeRouter(): AppRouter {
  return new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] })
}
