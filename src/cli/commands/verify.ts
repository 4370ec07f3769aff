import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';
import { formatReconciliation, runVerify } from '../../verify/index.ts';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description(
      'Reconcile every stage: rows sent by the emulator = records in Kafka = records in S3 = rows in the ' +
        'clean tables (less duplicates dropped and lines quarantined). Records other producers sent through the ' +
        'proxy, and records written twice after a lost acknowledgement, are explained (the proxy keeps its own ledger). ' +
        'Exit 4 on any unexplained difference: a record lost, or a record written around the proxy. ' +
        'Exact while the pipeline runs: it judges one cut (the records below the high watermarks it reads first); ' +
        'records on their way (not in S3 yet, not read by the batch yet) are in flight, exit 0.',
    )
    .option(
      '--caught-up',
      'also require every stage to have caught up: records in flight (not in S3 yet, not read by the batch yet, still being sent) are a mismatch (exit 4)',
    )
    .option(
      '--results <dir>',
      'the batch results folder holding summary.json (default: <batch.workDir>/results)',
    )
    .option('--json', 'print the reconciliation as JSON')
    .action(async (opts: { results?: string; json?: boolean; caughtUp?: boolean }) => {
      const { profile } = ctx.profile();
      const report = await runVerify({
        profile,
        resultsDir: opts.results,
        caughtUp: Boolean(opts.caughtUp),
      });
      ctx.out(opts.json ? JSON.stringify(report, null, 2) : formatReconciliation(report));
      if (!report.ok) {
        throw new PinpipeError(
          'VERIFY_MISMATCH',
          `Reconciliation found unexplained differences in ${report.topics
            .filter((t) => !t.ok)
            .map((t) => t.topic)
            .join(', ')}.`,
        );
      }
    });
}
