import type { BatchOptions, BatchSummary } from '../batch/index.ts';
import type { Profile } from '../config/index.ts';
import type { Logger } from '../log.ts';
import type { ScheduledJob } from './scheduler.ts';

export type RunBatch = (opts: BatchOptions) => Promise<BatchSummary>;

/** One short phrase for the run's log line (pure). */
export function summarizeBatch(s: BatchSummary): string {
  if (s.nothingToProcess) return 'nothing to process';
  const results = Object.keys(s.results).length;
  return (
    `${s.rows.pin} pins, ${s.rows.geo} geo, ${s.rows.user} users clean; ` +
    `${s.quarantined.total} quarantined, ${s.duplicates.total} duplicates; ${results} results in ${s.outDir}`
  );
}

/**
 * The batch as a scheduled job: each run calls runBatch with the run's signal and today's date.
 * A thrown PinpipeError fails the run (the scheduler logs it and keeps ticking).
 */
export function batchJob(o: {
  profile: Profile;
  runBatch: RunBatch;
  out?: string;
  logger?: Logger;
  now?: () => Date;
}): ScheduledJob {
  return async ({ signal }) => {
    const runDate = (o.now?.() ?? new Date()).toISOString().slice(0, 10);
    const summary = await o.runBatch({
      profile: o.profile,
      runDate,
      signal,
      ...(o.out ? { out: o.out } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    });
    return { exitCode: 0, summary: summarizeBatch(summary) };
  };
}
