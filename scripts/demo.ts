// npm run demo — from clone to analytics in one command: sandbox up, seed, proxy, emulate
// through API Gateway, sink to S3, batch in DuckDB, analytics + HTML report, reconciliation.
import { runScript } from './lib/run-script.ts';
import { runDemo } from './lib/demo.ts';
import { parsePositiveInt } from '../src/cli/index.ts';

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write(
      `\n[demo] ${sig}: stopping cleanly (the proxy, the sink, and the sandbox if the demo started it)\n`,
    );
    controller.abort();
  });
}

await runScript(
  'demo',
  'Run the whole Pinterest pipeline on the native sandbox and print the analytics, the report path and the reconciliation.',
  (c) =>
    c
      .option('-n, --count <posts>', 'posts to emulate (3 records each)', parsePositiveInt('--count'), 2000)
      .option(
        '--seed <n>',
        'seed of the emulator row choice (reproducible runs)',
        parsePositiveInt('--seed', 0),
        7,
      )
      .option('--keep-sandbox', 'leave the sandbox running at the end, even when the demo started it'),
  async ({ profile, cacheDir, say, opts }) => {
    await runDemo({
      profile,
      cacheDir,
      count: opts.count as number,
      seed: opts.seed as number,
      keepSandbox: Boolean(opts.keepSandbox),
      say,
      out: (text) => process.stdout.write(`${text}\n`),
      signal: controller.signal,
    });
  },
);
