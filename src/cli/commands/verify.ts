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
        'Exit 4 on any unexplained difference: a record lost, or a record written around the proxy.',
    )
    .option(
      '--results <dir>',
      'the batch results folder holding summary.json (default: <batch.workDir>/results)',
    )
    .option('--json', 'print the reconciliation as JSON')
    .action(async (opts: { results?: string; json?: boolean }) => {
      const { profile } = ctx.profile();
      const report = await runVerify({ profile, resultsDir: opts.results });
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
