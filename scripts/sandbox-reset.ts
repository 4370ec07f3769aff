// npm run sandbox:reset — stop every sandbox service and wipe its data.
import { runScript } from './lib/run-script.ts';
import { sandboxReset } from '../sandbox/sandbox.ts';

await runScript(
  'sandbox:reset',
  'Stop the sandbox services and delete their data (database, Kafka log, S3 objects). Only a folder sandbox:up marked is deleted.',
  (c) => c,
  async ({ profile, cacheDir, say }) => {
    const wiped = await sandboxReset({ profile, cacheDir, say });
    say(wiped ? `stopped and wiped ${profile.sandbox.dir}` : `nothing to wipe in ${profile.sandbox.dir}`);
  },
);
