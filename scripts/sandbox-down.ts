// npm run sandbox:down — stop every sandbox service; data is kept.
import { runScript } from './lib/run-script.ts';
import { sandboxDown } from '../sandbox/sandbox.ts';

await runScript(
  'sandbox:down',
  'Stop the sandbox services (MySQL, Kafka, MiniStack). Their data is kept; sandbox:reset wipes it.',
  (c) => c,
  async ({ profile, cacheDir, say }) => {
    const stopped = await sandboxDown({ profile, cacheDir, say });
    say(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
  },
);
