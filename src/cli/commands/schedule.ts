import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { Logger } from '../../log.ts';
import {
  executeRun,
  startSchedule,
  validateCron,
  type ScheduledJob,
  batchJob,
  type RunBatch,
} from '../../orchestrate/index.ts';

export interface ScheduleFlags {
  cron?: string;
  once?: boolean;
  tz?: string;
  out?: string;
}

/**
 * `pinpipe schedule`: the batch on a cron expression (default profile.schedule.cron, daily at
 * midnight), one run at a time, one log line per run. `--once` runs now and exits with the batch's
 * exit code. Returns when the schedule stops (SIGINT/SIGTERM: after the current run).
 */
export async function scheduleCommand(
  flags: ScheduleFlags,
  deps: { defaultCron: string; job: ScheduledJob; logger: Logger; signal: AbortSignal },
): Promise<void> {
  const cron = flags.cron ?? deps.defaultCron;
  validateCron(cron, flags.tz);
  if (flags.once) {
    const record = await executeRun(
      deps.job,
      { signal: deps.signal, runNumber: 1, trigger: 'now' },
      deps.logger,
    );
    if (record.error) throw record.error;
    if (!record.ok) process.exitCode = record.exitCode;
    return;
  }
  const handle = startSchedule({
    cron,
    job: deps.job,
    logger: deps.logger,
    signal: deps.signal,
    ...(flags.tz ? { timezone: flags.tz } : {}),
  });
  await handle.done;
  const s = handle.stats();
  deps.logger.info(`schedule: stopped after ${s.runs} run(s), ${s.failures} failed, ${s.skipped} skipped`);
}

/** The batch job (DuckDB) is loaded only when a run starts, so `schedule --help` stays fast. */
const loadRunBatch = async (): Promise<RunBatch> => (await import('../../batch/index.ts')).runBatch;

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('schedule')
    .description('Run the batch on a cron schedule, one run at a time')
    .option(
      '--cron <expr>',
      'cron expression, 5 fields or a nickname such as @daily (default: profile schedule.cron, "0 0 * * *")',
    )
    .option('--once', 'run the batch now and exit with its exit code')
    .option('--tz <zone>', "IANA time zone for the expression (default: the machine's)")
    .option('--out <dir>', "where each run writes <result_name>.json (default: the batch's)")
    .action(async (flags: ScheduleFlags) => {
      const { profile } = ctx.profile();
      const job = batchJob({
        profile,
        runBatch: async (opts) => (await loadRunBatch())(opts),
        logger: ctx.logger,
        ...(flags.out ? { out: flags.out } : {}),
      });
      await scheduleCommand(flags, {
        defaultCron: profile.schedule.cron,
        job,
        logger: ctx.logger,
        signal: ctx.signal,
      });
    });
}
