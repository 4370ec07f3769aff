import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { executeBatch, formatSummary } from '../../batch/index.ts';
import { renderResults } from '../../report/console-table.ts';

interface BatchFlags {
  source?: string;
  out?: string;
  runDate?: string;
  json?: boolean;
  upload: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('batch')
    .description(
      'Clean the three tables and run the nine analytics results in DuckDB: reads the sink objects ' +
        'from S3 (or --source), writes a DuckDB file, <result>.json files and Parquet back to S3.',
    )
    .option('--source <dir>', 'read a local folder laid out like the bucket instead of S3 (offline replay)')
    .option('--out <dir>', 'write <result_name>.json and summary.json here (default: <workDir>/results)')
    .option('--run-date <date>', 'YYYY-MM-DD in the Parquet keys (default: today, UTC)')
    .option('--no-upload', 'keep the Parquet files local (never uploaded with --source)')
    .option('--json', 'print {summary, results} as JSON on stdout instead of tables')
    .action(async (flags: BatchFlags) => {
      const { profile } = ctx.profile();
      const { summary, results } = await executeBatch({
        profile,
        source: flags.source,
        out: flags.out,
        runDate: flags.runDate,
        upload: flags.upload,
        signal: ctx.signal,
        logger: ctx.logger,
        progress: ctx.env.isTTY,
      });
      if (flags.json) {
        ctx.out(JSON.stringify({ summary, results }, null, 2));
        return;
      }
      if (!summary.nothingToProcess) ctx.out(`${renderResults(results)}\n`);
      ctx.out(formatSummary(summary));
    });
}
