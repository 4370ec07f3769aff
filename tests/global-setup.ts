import { loadProfile } from '../src/config/load.ts';
import { readEnv } from '../src/config/env.ts';
import { sandboxServices, sandboxUp } from '../sandbox/sandbox.ts';
import { afterUp } from '../scripts/lib/after-up.ts';

/**
 * Brings the sandbox up and leaves it exactly as found, service by service: a service that was
 * running stays running; one this setup started is stopped after the run, and only that one.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const env = readEnv();
  const { profile } = loadProfile('local', env);
  const opts = {
    profile,
    cacheDir: env.cacheDir,
    say: (m: string) => process.stderr.write(`[test sandbox] ${m}\n`),
  };
  // up leaves healthy services alone and reports the ones it started
  const { started } = await sandboxUp(opts);
  await afterUp(profile, opts.say, { seed: true, provision: true });
  return async () => {
    if (started.length === 0) return;
    // stop in reverse start order (s3, kafka, mysql), only what this run started
    for (const svc of sandboxServices(opts).reverse()) {
      if (started.includes(svc.name) && (await svc.stop())) opts.say(`stopped ${svc.name}`);
    }
  };
}
