import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { executeBatch, formatSummary } from '../../batch/index.ts';
import { renderResults } from '../../report/console-table.ts';
import { BATCH_ENGINES, executeSparkBatch, type BatchEngine } from '../../batch/spark.ts';
import { PinpipeError } from '../../errors.ts';

interface BatchFlags {
  source?: string;
  out?: string;
  runDate?: string;
  json?: boolean;
  upload: boolean;
  engine: string;
  sparkMaster?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('batch')
    .description(
      'Clean the three tables and run the nine analytics results in DuckDB (issue 6): reads the sink objects ' +
        'from S3 (or --source), writes a DuckDB file, <result>.json files and Parquet back to S3. ' +
        '--engine spark runs the same job on Apache Spark (exit 3 when Java 17+ or the master is missing).',
    )
    .option('--source <dir>', 'read a local folder laid out like the bucket instead of S3 (offline replay)')
    .option('--out <dir>', 'write <result_name>.json and summary.json here (default: <workDir>/results)')
    .option('--run-date <date>', 'YYYY-MM-DD in the Parquet keys (default: today, UTC)')
    .option('--no-upload', 'keep the Parquet files local (never uploaded with --source)')
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
      const run = flags.engine === 'spark' ? executeSparkBatch : executeBatch;
      const { summary, results } = await run({
        projectRoot: ctx.env.projectRoot,
        cacheDir: ctx.env.cacheDir,
        javaHome: ctx.env.javaHome,
        master: flags.sparkMaster,
        profile,
        source: flags.source,
        out: flags.out,
        runDate: flags.runDate,
        json: flags.json,
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
