import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Every temporary file or folder the tests make (os.tmpdir(): private sandboxes, profiles, locks) and
// the programs they start make (TMPDIR) goes under one folder of this run, deleted when the run
// ends, so a run leaves nothing in /tmp. A run killed before its end leaves that one folder.
if (!process.env.VITEST_RUN_TMPDIR) {
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-test-run-'));
  process.env.VITEST_RUN_TMPDIR = runTmp;
  process.env.TMPDIR = runTmp;
  process.once('exit', () => fs.rmSync(runTmp, { recursive: true, force: true }));
}

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
          include: ['tests/unit/**/*.test.ts', 'bench/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          // testProfile() honours the shell's sandbox port variables here (tests/helpers/profile.ts)
          env: { PINPIPE_TEST_SANDBOX_PORTS: 'from-env' },
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
