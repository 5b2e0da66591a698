import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql-js for our modules and the CommonJS dependencies (@apollo/subgraph), as in Node.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    // Suites start real servers on loopback; two cores run two files at a time comfortably.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results/results.json' }]],
  },
});
