import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { createProgress, type Progress } from '../progress.ts';
import {
  executeBatch,
  formatSummary,
  type BatchProgress,
  BATCH_ENGINES,
  executeSparkBatch,
  type BatchEngine,
} from '../../batch/index.ts';
import { renderResults } from '../../report/index.ts';
import { PinpipeError } from '../../errors.ts';

interface BatchFlags {
  source?: string;
  out?: string;
  runDate?: string;
  json?: boolean;
  upload: boolean;
  engine: string;
  sparkMaster?: string;
  full?: boolean;
  allRows?: boolean;
}

/** Rows printed per result unless --all-rows (`pinpipe report --tables` and `pinpipe sql` show all). */
const PRINTED_ROWS = 5;

/** A progress bar per counted step (fetch, load) on a terminal; nothing otherwise. */
function progressBars(enabled: boolean) {
  const bars = new Map<BatchProgress['step'], Progress>();
  return {
    onProgress(p: BatchProgress) {
      if (p.step !== 'fetch' && p.step !== 'load') return;
      let bar = bars.get(p.step);
      if (!bar) {
        for (const other of bars.values()) other.stop();
        bar = createProgress({
          label: p.step === 'load' ? 'load ' : 'fetch',
          total: p.total,
          unit: 'objects',
          enabled,
        });
        bars.set(p.step, bar);
      }
      bar.update(p.done);
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('batch')
    .description(
      'Clean the three tables and run the nine analytics results in DuckDB: reads the sink objects ' +
        'from S3 (or --source), loads only the new and changed ones into the tables kept in the work dir, ' +
        'writes the DuckDB file, <result>.json files and Parquet back to S3. ' +
        '--engine spark runs the same job on Apache Spark (exit 3 when Java 17+ or the master is missing).',
    )
    .option('--source <dir>', 'read a local folder laid out like the bucket instead of S3 (offline replay)')
    .option('--out <dir>', 'write <result_name>.json and summary.json here (default: <workDir>/results)')
    .option('--run-date <date>', 'YYYY-MM-DD in the Parquet keys (default: today, UTC)')
    .option('--no-upload', 'keep the Parquet files local (never uploaded with --source)')
    .option('--full', 'rebuild the tables from every object instead of loading only the new and changed ones')
    .option('--all-rows', `print every row of each result (default: the first ${PRINTED_ROWS})`)
    .option('--json', 'print {summary, results} as JSON on stdout instead of tables')
    .option(
      '--engine <engine>',
      'duckdb (one machine) or spark (PySpark from a cached venv; needs Java 17+)',
      'duckdb',
    )
    .option(
      '--spark-master <url>',
      'with --engine spark: local[*], local[N], spark://host:7077, yarn or k8s://... (default local[*])',
    )
    .action(async (flags: BatchFlags) => {
      if (!BATCH_ENGINES.includes(flags.engine as BatchEngine))
        throw new PinpipeError(
          'USAGE',
          `--engine must be one of ${BATCH_ENGINES.join(', ')} (got "${flags.engine}").`,
        );
      if (flags.sparkMaster !== undefined && flags.engine !== 'spark')
        throw new PinpipeError('USAGE', '--spark-master goes with --engine spark.');
      const { profile } = ctx.profile();
      const bars = progressBars(ctx.env.isTTY);
      let run;
      try {
        const common = {
          profile,
          source: flags.source,
          out: flags.out,
          runDate: flags.runDate,
          upload: flags.upload,
          full: flags.full,
          signal: ctx.signal,
          logger: ctx.logger,
          onProgress: bars.onProgress,
        };
        run =
          flags.engine === 'spark'
            ? await executeSparkBatch({
                ...common,
                projectRoot: ctx.env.projectRoot,
                cacheDir: ctx.env.cacheDir,
                javaHome: ctx.env.javaHome,
                master: flags.sparkMaster,
              })
            : await executeBatch(common);
      } finally {
        bars.stop();
      }
      const { summary, results } = run;
      if (flags.json) {
        ctx.out(JSON.stringify({ summary, results }, null, 2));
        return;
      }
      if (!summary.nothingToProcess)
        ctx.out(
          `${renderResults(results, {
            maxRows: flags.allRows ? undefined : PRINTED_ROWS,
            more: (name) =>
              `pinpipe batch --all-rows, pinpipe report --tables or pinpipe sql "select * from ${name}"`,
          })}\n`,
        );
      ctx.out(formatSummary(summary));
    });
}
