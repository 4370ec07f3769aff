// npm run sandbox:status [-- --json] — health of each service; exit 0 only when all are ok.
import { runScript } from './lib/run-script.ts';
import { sandboxStatus } from '../sandbox/sandbox.ts';
import { ExitCode } from '../src/cli/index.ts';
import { tableLines } from '../src/table.ts';

await runScript(
  'sandbox:status',
  'Check each sandbox service with a real request (query, metadata, bucket listing). Exit 0 when all are ok, 3 otherwise.',
  (c) => c.option('--json', 'print {"mysql":{"ok":true,"endpoint":"..."},"kafka":{...},"s3":{...}}'),
  async ({ profile, cacheDir, opts }) => {
    const st = await sandboxStatus({ profile, cacheDir });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(st)}\n`);
    } else {
      const rows = Object.entries(st).map(([name, h]) => [
        name,
        h.ok ? 'ok' : 'DOWN',
        `${h.endpoint}${h.pid ? ` pid ${h.pid}` : ''}${h.detail ? `  (${h.detail})` : ''}`,
      ]);
      const lines = tableLines([{ minWidth: 6 }, { minWidth: 4 }, {}], rows, { gap: ' ' });
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    const down = Object.entries(st).filter(([, h]) => !h.ok);
    if (down.length === 0) return ExitCode.OK;
    if (!opts.json) {
      process.stderr.write(
        `${down.map(([name]) => name).join(', ')} ${down.length === 1 ? 'is' : 'are'} down: start the sandbox with \`npm run sandbox:up\`\n`,
      );
    }
    return ExitCode.UNAVAILABLE;
  },
);
