import { loadProfile, readEnv } from '../src/config/index.ts';
import { sandboxServices, sandboxUp } from '../sandbox/sandbox.ts';
import { portOpen } from '../sandbox/lib/proc.ts';
import { afterUp } from '../scripts/lib/after-up.ts';
import { upWhenPortsFree } from './helpers/busy-port.ts';

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
  // up leaves healthy services alone and reports the ones it started; a port still held by another
  // process (another job's service stopping) is waited for, up to two minutes
  const { started } = await upWhenPortsFree(() => sandboxUp(opts), {
    waitMs: 120_000,
    portOpen: (port) => portOpen(port),
    say: opts.say,
  });
  await afterUp(profile, opts.say, { seed: true, provision: true });
  return async () => {
    if (started.length === 0) return;
    // stop in reverse start order (s3, kafka, mysql), only what this run started
    for (const svc of sandboxServices(opts).reverse()) {
      if (started.includes(svc.name) && (await svc.stop())) opts.say(`stopped ${svc.name}`);
    }
  };
}
