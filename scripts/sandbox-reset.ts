// npm run sandbox:reset — stop every sandbox service and wipe its data.
import { runScript } from './lib/run-script.ts';
import { sandboxReset } from '../sandbox/sandbox.ts';

await runScript(
  'sandbox:reset',
  'Stop the sandbox services and delete their data (database, Kafka log, S3 objects).',
  (c) => c,
  async ({ profile, cacheDir, say }) => {
    await sandboxReset({ profile, cacheDir, say });
    say(`stopped and wiped ${profile.sandbox.dir}`);
  },
);
