import path from 'node:path';
import { setMaxListeners } from 'node:events';
import type { Profile } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { startOwnProxy } from './own-proxy.ts';
import { resolveInvokeUrl } from '../provision/index.ts';
import { runEmulator, formatSummary } from '../emulator/index.ts';
import type { EmulatorSummary } from '../emulator/types.ts';
import { runSink, type SinkSummary } from '../sink/index.ts';
import { runBatch } from '../batch/index.ts';
import { batchJob, startSchedule } from '../orchestrate/index.ts';
import { startLedgerRun } from '../ledger/index.ts';
import { acquireLock } from './lock.ts';

/** How long the sink of `pinpipe run` reads on after the emulator stopped, at most. */
export const SINK_CATCH_UP_MS = 15_000;

/**
 * The sink of `pinpipe run` closes its open objects this often by the wall clock
 * (rotate.schedule.interval.ms), besides every flush.size records, so that S3 follows a live run
 * within seconds. The price: more, smaller objects (one per partition per interval at most).
 */
export const LIVE_ROTATE_MS = 5000;

export interface RunOptions {
  profile: Profile;
  logger: Logger;
  signal: AbortSignal;
  cron: string;
  /** Posts per second in fast mode; undefined = the original's faithful mode (0–2 s between posts). */
  rate?: number;
  emulate: boolean;
  /** Run the batch once at start, then on the schedule. */
  batchNow: boolean;
  /**
   * The sink's rotate.schedule.interval.ms (0 = size only); default: the profile's when set,
   * else LIVE_ROTATE_MS.
   */
  rotateScheduleIntervalMs?: number;
}

/** The wall-clock rotation of `pinpipe run`'s sink: the flag, else the profile's, else LIVE_ROTATE_MS. */
export function liveRotateMs(profile: Profile, flag?: number): number {
  return flag ?? (profile.sink.rotateScheduleIntervalMs || LIVE_ROTATE_MS);
}

/**
 * `pinpipe run`: the pipeline live — proxy, sink and emulator until stopped, the batch on a schedule.
 * Ctrl-C stops the emulator, lets the sink catch up with Kafka, flush and commit, closes the proxy,
 * then the schedule.
 */
export async function runPipeline(o: RunOptions): Promise<{ emulator?: EmulatorSummary; sink: SinkSummary }> {
  const { profile, logger } = o;
  const lock = await acquireLock(path.join(path.dirname(profile.batch.workDir), 'run.lock'), '`pinpipe run`');
  setMaxListeners(100, o.signal);
  // Ctrl-C stops the emulator first; the sink then reads on up to what Kafka holds at that moment
  // (bounded by SINK_CATCH_UP_MS) and stops, so that what was sent is in S3.
  const emuCtl = new AbortController();
  const sinkCtl = new AbortController();
  const catchUpCtl = new AbortController();
  setMaxListeners(100, emuCtl.signal);
  setMaxListeners(100, sinkCtl.signal);
  const onAbort = () => {
    emuCtl.abort();
    if (!o.emulate) sinkCtl.abort();
  };
  o.signal.addEventListener('abort', onAbort, { once: true });
  let proxy: Awaited<ReturnType<typeof startOwnProxy>> | undefined;
  let sink: Promise<SinkSummary> | undefined;
  try {
    // Everything that can fail at start is checked before the sink joins its group.
    const url = o.emulate ? await resolveInvokeUrl(profile) : undefined;
    proxy = await startOwnProxy({ profile, logger }, '`pinpipe run`');
    const schedule = startSchedule({
      job: batchJob({ profile, runBatch, logger }),
      cron: o.cron,
      logger,
      signal: sinkCtl.signal,
    });
    logger.info(
      `batch scheduled "${schedule.cron}", next run ${schedule.nextRun()?.toISOString() ?? 'never'}`,
    );
    if (o.batchNow) void schedule.runNow();
    sink = runSink({
      profile,
      rotateScheduleIntervalMs: liveRotateMs(profile, o.rotateScheduleIntervalMs),
      signal: sinkCtl.signal,
      catchUp: { signal: catchUpCtl.signal, timeoutMs: SINK_CATCH_UP_MS },
      logger,
    }).finally(() => emuCtl.abort());
    let emulator: Promise<EmulatorSummary | undefined> = Promise.resolve(undefined);
    if (url !== undefined) {
      logger.info(
        `emulating ${o.rate ? `${o.rate} posts/s` : 'like the original (one record per request, 0–2 s apart)'} → ${url}; Ctrl-C stops`,
      );
      const ledger = startLedgerRun(profile, url);
      emulator = runEmulator({
        profile,
        url,
        signal: emuCtl.signal,
        onProgress: (p) => ledger.progress(p),
        ...(o.rate ? { rate: o.rate, durationMs: 365 * 24 * 3600 * 1000 } : { faithful: true }),
      })
        .then((s) => {
          ledger.finish(s);
          logger.info(formatSummary(s));
          return s;
        })
        .finally(() => catchUpCtl.abort());
    }
    const results = await Promise.allSettled([emulator, sink]);
    await schedule.stop();
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return {
      emulator: (results[0] as PromiseFulfilledResult<EmulatorSummary | undefined>).value,
      sink: (results[1] as PromiseFulfilledResult<SinkSummary>).value,
    };
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    // On any failure nothing is left running: the emulator and the sink stop, the proxy closes.
    emuCtl.abort();
    sinkCtl.abort();
    await sink?.catch(() => {});
    await proxy?.close().catch(() => {});
    lock.release();
  }
}
