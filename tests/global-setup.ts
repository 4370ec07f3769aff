import { loadProfile } from '../src/config/load.ts';
import { readEnv } from '../src/config/env.ts';
import { sandboxDown, sandboxStatus, sandboxUp } from '../sandbox/sandbox.ts';
import { afterUp } from '../scripts/lib/after-up.ts';

/**
 * Brings the sandbox up when it is down and leaves it as found: a sandbox that was running stays
 * running; one this setup started is stopped after the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const env = readEnv();
  const { profile } = loadProfile('local', env);
  const opts = {
    profile,
    cacheDir: env.cacheDir,
    say: (m: string) => process.stderr.write(`[test sandbox] ${m}\n`),
  };
  const st = await sandboxStatus(opts);
  const wasUp = Object.values(st).every((h) => h.ok);
  if (!wasUp) await sandboxUp(opts);
  await afterUp(profile, opts.say, { seed: true, provision: true });
  return async () => {
    if (!wasUp) await sandboxDown(opts);
  };
}
