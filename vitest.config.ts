import { defineConfig } from 'vitest/config'

// One run, two kinds of test: fast unit tests (fakes only) and end-to-end tests that start a
// real registry, skopeo and our server on loopback. Both run under `npm test`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'infra/aws/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
