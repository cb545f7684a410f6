import { defineConfig } from 'vitest/config';

// Integration tests start real Dovecot/Radicale per file; keep parallelism low
// on the 2-core CI machine so that servers do not starve each other.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
