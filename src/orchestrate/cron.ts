import { Cron } from 'croner';
import { PinpipeError } from '../errors.ts';

/**
 * Cron expressions go through croner (5 fields, or 6 with seconds first; nicknames such as
 * `@daily`). Day-of-month and day-of-week combine with OR, as in Vixie cron and Airflow.
 */
export const DEFAULT_CRON = '0 0 * * *';

/**
 * Checks an expression at start, so a typo fails fast instead of never firing.
 * Returns the next fire time; throws SCHEDULE_INVALID for a malformed expression or one that
 * can never fire (e.g. 30 February).
 */
export function validateCron(expr: string, timezone?: string, from: Date = new Date()): Date {
  const trimmed = expr.trim();
  if (trimmed === '') {
    throw new PinpipeError(
      'SCHEDULE_INVALID',
      'The cron expression is empty. Pass --cron "<min> <hour> <dom> <mon> <dow>", e.g. --cron "0 0 * * *" for daily at midnight.',
    );
  }
  let job: Cron;
  try {
    job = new Cron(trimmed, { paused: true, ...(timezone ? { timezone } : {}) });
  } catch (err) {
    throw new PinpipeError(
      'SCHEDULE_INVALID',
      `Invalid cron expression "${trimmed}": ${err instanceof Error ? err.message : String(err)}. ` +
        'Use five fields "<min> <hour> <dom> <mon> <dow>" (e.g. "0 0 * * *" for daily at midnight) or a nickname such as @daily.',
      { cause: err },
    );
  }
  const next = job.nextRun(from);
  job.stop();
  if (!next) {
    throw new PinpipeError(
      'SCHEDULE_INVALID',
      `The cron expression "${trimmed}" never fires (no matching date). Check the day and month fields.`,
    );
  }
  return next;
}

/** The next `count` fire times after `from` (for `--dry-run`-style output and tests). */
export function nextRuns(expr: string, count: number, from: Date = new Date(), timezone?: string): Date[] {
  validateCron(expr, timezone, from);
  const job = new Cron(expr.trim(), { paused: true, ...(timezone ? { timezone } : {}) });
  try {
    return job.nextRuns(count, from);
  } finally {
    job.stop();
  }
}
