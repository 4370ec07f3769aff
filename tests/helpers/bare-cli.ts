import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/config/index.ts';

/**
 * The real `pinpipe` CLI for unit tests, run with no AWS credentials anywhere (no AWS_* or PINPIPE_*
 * variable from the shell, instance metadata off, config files in a folder of the test's own), so
 * nothing leaves the machine. `cleanup()` removes that folder.
 */
export function bareCli(prefix: string): {
  dir: string;
  env: (extra?: Record<string, string>) => NodeJS.ProcessEnv;
  run: (args: string[], env: NodeJS.ProcessEnv) => { code: number | null; stdout: string; stderr: string };
  cleanup: () => void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const bin = path.join(PROJECT_ROOT, 'bin', 'pinpipe.mjs');
  return {
    dir,
    env(extra = {}) {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('AWS_') && !k.startsWith('PINPIPE_')) env[k] = v;
      }
      return {
        ...env,
        HOME: dir,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: path.join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
        PINPIPE_LOG_LEVEL: 'info',
        ...extra,
      };
    },
    run(args, env) {
      const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
