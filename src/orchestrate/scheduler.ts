import { Cron } from 'croner';
import { describeError, isPinpipeError } from '../errors.ts';
import { log, type Logger } from '../log.ts';
import { DEFAULT_CRON, validateCron } from './cron.ts';

/**
 * The built-in daily schedule: what users without Airflow run, and what `pinpipe run`
 * embeds. One job at a time: a tick that arrives while a run is still going is skipped and logged,
 * never queued (a queue of daily batches would only repeat the same work).
 */

export type RunTrigger = 'cron' | 'now';

export interface JobContext {
  /** Aborted only by stop({ abortCurrent: true }); a plain stop lets the current run finish. */
  signal: AbortSignal;
  runNumber: number;
  trigger: RunTrigger;
}

/** What a job may return: its exit code (0 = success) and a short summary for the log line. */
export interface JobOutcome {
  exitCode: number;
  summary?: string;
}

export type ScheduledJob = (ctx: JobContext) => Promise<JobOutcome | void>;

export interface RunRecord {
  runNumber: number;
  trigger: RunTrigger;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  /** The job's exit code; undefined when it threw. */
  exitCode: number | undefined;
  summary: string | undefined;
  /** What the job threw, if it threw. */
  error: unknown;
}

export interface ScheduleOptions {
  job: ScheduledJob;
  /** Cron expression; default "0 0 * * *" (daily at midnight). */
  cron?: string;
  /** IANA time zone for the expression; default: the machine's. */
  timezone?: string;
  logger?: Logger;
  /** When it aborts (SIGINT/SIGTERM), the schedule stops after the current run. */
  signal?: AbortSignal;
  /** Called after every run, and with 'skipped' for every skipped tick. */
  onRun?: (record: RunRecord | { skipped: true; trigger: RunTrigger; at: Date }) => void;
}

export interface ScheduleStats {
  runs: number;
  failures: number;
  skipped: number;
}

export interface ScheduleHandle {
  readonly cron: string;
  /** The next tick, or null once stopped. */
  nextRun(): Date | null;
  isRunning(): boolean;
  /** Runs the job now (same no-overlap rule as the ticks). */
  runNow(): Promise<RunRecord | 'skipped'>;
  /** Stops the ticks and resolves when the current run (if any) has finished. */
  stop(opts?: { abortCurrent?: boolean }): Promise<void>;
  /** Resolves once stopped and idle. */
  readonly done: Promise<void>;
  stats(): ScheduleStats;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Validates the expression (SCHEDULE_INVALID on a bad one) and starts ticking. */
export function startSchedule(opts: ScheduleOptions): ScheduleHandle {
  const expr = (opts.cron ?? DEFAULT_CRON).trim();
  validateCron(expr, opts.timezone);
  const logger = opts.logger ?? log();
  const stats: ScheduleStats = { runs: 0, failures: 0, skipped: 0 };
  let current: Promise<RunRecord> | undefined;
  const controller = new AbortController();
  let stopped = false;
  let runNumber = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const cron = new Cron(expr, { catch: true, ...(opts.timezone ? { timezone: opts.timezone } : {}) }, () => {
    void trigger('cron');
  });

  async function trigger(kind: RunTrigger): Promise<RunRecord | 'skipped'> {
    if (stopped) return 'skipped';
    if (current) {
      stats.skipped++;
      logger.warn(`schedule: ${kind} tick skipped, run #${runNumber} is still running`);
      opts.onRun?.({ skipped: true, trigger: kind, at: new Date() });
      return 'skipped';
    }
    runNumber++;
    current = executeRun(opts.job, { signal: controller.signal, runNumber, trigger: kind }, logger, () =>
      stopped ? null : cron.nextRun(),
    );
    try {
      const record = await current;
      stats.runs++;
      if (!record.ok) stats.failures++;
      opts.onRun?.(record);
      return record;
    } finally {
      current = undefined;
    }
  }

  async function stop(stopOpts: { abortCurrent?: boolean } = {}): Promise<void> {
    if (!stopped) {
      stopped = true;
      cron.stop();
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (stopOpts.abortCurrent) controller.abort(new Error('schedule stopped'));
    if (current) await current.catch(() => undefined);
    resolveDone();
  }

  function onAbort() {
    if (current) logger.info(`schedule: stopping after run #${runNumber} finishes`);
    void stop();
  }
  if (opts.signal?.aborted) void stop();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const next = cron.nextRun();
  logger.info(
    `schedule: "${expr}"${opts.timezone ? ` (${opts.timezone})` : ''}, next run at ${next?.toISOString() ?? 'never'}`,
  );

  return {
    cron: expr,
    nextRun: () => (stopped ? null : cron.nextRun()),
    isRunning: () => current !== undefined,
    runNow: () => trigger('now'),
    stop,
    done,
    stats: () => ({ ...stats }),
    [Symbol.asyncDispose]: () => stop(),
  };
}

/** Runs the job once and writes its one log line: start, duration, result (and the next tick). */
export async function executeRun(
  job: ScheduledJob,
  ctx: JobContext,
  logger: Logger = log(),
  next: () => Date | null = () => null,
): Promise<RunRecord> {
  const startedAt = new Date();
  const t0 = performance.now();
  let record: RunRecord;
  try {
    const outcome = (await job(ctx)) ?? { exitCode: 0 };
    record = {
      runNumber: ctx.runNumber,
      trigger: ctx.trigger,
      startedAt,
      durationMs: performance.now() - t0,
      ok: outcome.exitCode === 0,
      exitCode: outcome.exitCode,
      summary: outcome.summary,
      error: undefined,
    };
  } catch (err) {
    record = {
      runNumber: ctx.runNumber,
      trigger: ctx.trigger,
      startedAt,
      durationMs: performance.now() - t0,
      ok: false,
      exitCode: undefined,
      summary: undefined,
      error: err,
    };
  }
  const line = formatRunLine(record, next());
  if (record.ok) logger.info(line);
  else logger.error(line);
  return record;
}

/** The one line per run (pure, for tests). */
export function formatRunLine(r: RunRecord, nextRun: Date | null): string {
  const result = r.error
    ? `failed: ${isPinpipeError(r.error) ? `${r.error.message} [${r.error.code}]` : describeError(r.error)}`
    : r.ok
      ? `ok${r.summary ? ` (${r.summary})` : ''}`
      : `failed with exit code ${r.exitCode}${r.summary ? ` (${r.summary})` : ''}`;
  const next = nextRun ? `; next run at ${nextRun.toISOString()}` : '';
  return `schedule: run #${r.runNumber} (${r.trigger}) started ${r.startedAt.toISOString()}, took ${(r.durationMs / 1000).toFixed(1)} s: ${result}${next}`;
}
