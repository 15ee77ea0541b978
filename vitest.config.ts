import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: keep parallelism modest so network-timing tests stay stable.
    maxWorkers: 2,
    // Test files share a worker's module cache instead of importing the app afresh each: importing was most of the
    // suite's time (260 s of a 423 s CI run). Each test opens its own database and app, and no test mocks modules.
    isolate: false,
  },
});
