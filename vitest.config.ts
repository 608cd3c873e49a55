import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { WORKERS_TEST_CONFIG } from './test/runtime/workers/workers-config.ts'

// One run, two projects. node: unit tests (fakes only) and end-to-end tests that start a real
// registry, skopeo and our server (or `wrangler dev`) on loopback. workers: `*.workers.test.ts`
// files, which run inside workerd with the Worker of infra/cloudflare/wrangler.jsonc and its
// Durable Objects (SQLite storage). Both run under `npm test`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts', 'infra/aws/test/**/*.test.ts'],
          exclude: ['test/**/*.workers.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './infra/cloudflare/wrangler.jsonc' },
            miniflare: { bindings: { MANIFEST_HOOK_CONFIG: JSON.stringify(WORKERS_TEST_CONFIG), MANIFEST_HOOK_SUBREQUESTS: '50' } },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/**/*.workers.test.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
})
