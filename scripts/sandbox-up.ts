// npm run sandbox:up — start (or find) MySQL, Kafka and MiniStack, create the profile's database,
// topics and bucket, seed the source tables when empty, and provision the API Gateway REST API.
import { runScript } from './lib/run-script.ts';
import { sandboxUp } from '../sandbox/sandbox.ts';
import { afterUp } from './lib/after-up.ts';

await runScript(
  'sandbox:up',
  'Start the native sandbox (MySQL, Kafka, S3 + API Gateway) and prepare it for the pipeline.',
  (c) =>
    c
      .option('--no-seed', 'do not seed the source tables when they are empty')
      .option('--no-provision', 'do not create the API Gateway REST API'),
  async ({ profile, cacheDir, say, opts }) => {
    const r = await sandboxUp({ profile, cacheDir, say });
    await afterUp(profile, say, { seed: opts.seed !== false, provision: opts.provision !== false });
    const what =
      r.started.length === 0
        ? `already running (${r.alreadyRunning.join(', ')})`
        : `started ${r.started.join(', ')}${r.alreadyRunning.length ? `; already running: ${r.alreadyRunning.join(', ')}` : ''}`;
    say(`sandbox up in ${r.seconds.toFixed(1)} s: ${what}`);
  },
);
