import { defineConfig } from 'vitest/config';

// Two projects: unit tests need no service; integration and e2e tests run against the real sandbox,
// which tests/global-setup.ts starts when it is down (and stops again afterwards) or reuses.
export default defineConfig({
  test: {
    // In CI a JSON report is written too, so .ci/run can print one plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.ci-results/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One file at a time: the files share one broker, one database and one S3 on 2 cores.
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
