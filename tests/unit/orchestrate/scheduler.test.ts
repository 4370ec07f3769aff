import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  startSchedule,
  executeRun,
  formatRunLine,
  validateCron,
  nextRuns,
  type ScheduledJob,
} from '../../../src/orchestrate/index.ts';
import { scheduleCommand } from '../../../src/cli/commands/schedule.ts';
import { isPinpipeError, PinpipeError } from '../../../src/errors.ts';

/** A pino logger whose lines the test can read. */
function captureLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines, msgs: () => lines.map((l) => l.msg) };
}

/** A job the test finishes by hand, counting how many runs are in flight at once. */
function manualJob() {
  const pending: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const job: ScheduledJob = async () => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => pending.push(resolve));
    inFlight--;
    return { exitCode: 0, summary: 'fake batch' };
  };
  return {
    job,
    finishOne: () => pending.shift()?.(),
    get calls() {
      return calls;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

function expectInvalid(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(isPinpipeError(err, 'SCHEDULE_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected SCHEDULE_INVALID');
}

describe('validateCron', () => {
  it('accepts the default (daily at midnight) and nicknames', () => {
    const from = new Date('2026-03-04T10:00:00Z');
    expect(validateCron('0 0 * * *', 'UTC', from).toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(validateCron('@daily', 'UTC', from).toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(nextRuns('*/15 * * * *', 3, from, 'UTC').map((d) => d.toISOString())).toEqual([
      '2026-03-04T10:15:00.000Z',
      '2026-03-04T10:30:00.000Z',
      '2026-03-04T10:45:00.000Z',
    ]);
  });

  it('rejects a malformed expression, an empty one and one that never fires, with SCHEDULE_INVALID', () => {
    expectInvalid(() => validateCron('not a cron'), /Invalid cron expression "not a cron".*"0 0 \* \* \*"/);
    expectInvalid(() => validateCron('61 * * * *'), /Invalid cron expression "61 \* \* \* \*"/);
    expectInvalid(() => validateCron('   '), /empty/);
    expectInvalid(() => validateCron('0 0 30 2 *'), /never fires/);
  });

  it('startSchedule refuses an invalid expression before starting any timer', () => {
    const { job } = manualJob();
    expectInvalid(() => startSchedule({ cron: '0 0 * *', job }), /Invalid cron expression/);
  });
});

describe('startSchedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-04T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs on every tick, never two runs at once: a tick during a run is skipped and logged', async () => {
    const { logger, msgs } = captureLogger();
    const fake = manualJob();
    const handle = startSchedule({ cron: '* * * * *', timezone: 'UTC', job: fake.job, logger });
    expect(handle.nextRun()?.toISOString()).toBe('2026-03-04T10:01:00.000Z');

    await vi.advanceTimersByTimeAsync(60_000); // 10:01 → run #1 starts
    expect(fake.calls).toBe(1);
    expect(handle.isRunning()).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000); // 10:02, 10:03 → skipped, #1 still running
    expect(fake.calls).toBe(1);
    expect(handle.stats()).toEqual({ runs: 0, failures: 0, skipped: 2 });
    expect(await handle.runNow()).toBe('skipped');

    fake.finishOne();
    await vi.advanceTimersByTimeAsync(0);
    expect(handle.isRunning()).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000); // 10:04 → run #2
    expect(fake.calls).toBe(2);
    fake.finishOne();
    await handle.stop();

    expect(fake.maxInFlight).toBe(1);
    expect(handle.stats()).toEqual({ runs: 2, failures: 0, skipped: 3 });
    const runLines = msgs().filter((m) => /run #\d/.test(m) && !m.includes('skipped'));
    expect(runLines).toHaveLength(2);
    expect(runLines[0]).toMatch(
      /^schedule: run #1 \(cron\) started 2026-03-04T10:01:00\.\d+Z, took 120\.0 s: ok \(fake batch\); next run at 2026-03-04T10:04:00\.000Z$/,
    );
    expect(msgs().filter((m) => m.includes('skipped'))).toHaveLength(3);
  });

  it('a failing run is logged with its code and the schedule keeps ticking', async () => {
    const { logger, lines } = captureLogger();
    let n = 0;
    const job: ScheduledJob = async () => {
      n++;
      if (n === 1)
        throw new PinpipeError(
          'S3_UNAVAILABLE',
          'S3 at http://127.0.0.1:1 is unreachable; run npm run sandbox:up.',
        );
      return { exitCode: 0 };
    };
    const handle = startSchedule({ cron: '* * * * *', job, logger });
    await vi.advanceTimersByTimeAsync(120_000);
    await handle.stop();
    expect(handle.stats()).toEqual({ runs: 2, failures: 1, skipped: 0 });
    const failed = lines.find((l) => l.msg.includes('run #1'))!;
    expect(failed.level).toBe(50);
    expect(failed.msg).toContain(
      'failed: S3 at http://127.0.0.1:1 is unreachable; run npm run sandbox:up. [S3_UNAVAILABLE]',
    );
  });

  it('stops cleanly after the current run when the signal aborts (SIGINT/SIGTERM)', async () => {
    const { logger, msgs } = captureLogger();
    const fake = manualJob();
    const controller = new AbortController();
    const handle = startSchedule({ cron: '* * * * *', job: fake.job, logger, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.calls).toBe(1);
    controller.abort();
    let done = false;
    void handle.done.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(done).toBe(false); // waits for the run in flight
    expect(fake.calls).toBe(1); // and starts no new one
    expect(handle.nextRun()).toBeNull();
    fake.finishOne();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(handle.stats().runs).toBe(1);
    expect(msgs().some((m) => m.includes('stopping after run #1 finishes'))).toBe(true);
  });
});

describe('executeRun and formatRunLine', () => {
  it('one line with start, duration and result', async () => {
    const { logger, msgs } = captureLogger();
    const record = await executeRun(
      async () => ({ exitCode: 3, summary: 'partial' }),
      { signal: new AbortController().signal, runNumber: 7, trigger: 'now' },
      logger,
    );
    expect(record.ok).toBe(false);
    expect(msgs()).toHaveLength(1);
    expect(msgs()[0]).toMatch(
      /^schedule: run #7 \(now\) started \S+Z, took \d+\.\d s: failed with exit code 3 \(partial\)$/,
    );
    expect(
      formatRunLine(
        { ...record, ok: true, exitCode: 0, summary: undefined, durationMs: 1234 },
        new Date('2026-01-02T00:00:00Z'),
      ),
    ).toMatch(/took 1\.2 s: ok; next run at 2026-01-02T00:00:00\.000Z$/);
  });
});

describe('scheduleCommand', () => {
  const signal = new AbortController().signal;

  it('--once runs the job now, once, and returns', async () => {
    const { logger, msgs } = captureLogger();
    const job = vi.fn<ScheduledJob>(async () => ({ exitCode: 0, summary: 'done' }));
    await scheduleCommand({ once: true }, { defaultCron: '0 0 * * *', job, logger, signal });
    expect(job).toHaveBeenCalledTimes(1);
    expect(msgs()[0]).toMatch(/run #1 \(now\).*ok \(done\)/);
  });

  it('--once rethrows the batch error so the CLI exits with its code', async () => {
    const { logger } = captureLogger();
    const job: ScheduledJob = async () => {
      throw new PinpipeError('S3_UNAVAILABLE', 'S3 is down');
    };
    await expect(
      scheduleCommand({ once: true }, { defaultCron: '0 0 * * *', job, logger, signal }),
    ).rejects.toMatchObject({ code: 'S3_UNAVAILABLE' });
  });

  it('an invalid --cron fails at start, before any run, even with --once', async () => {
    const { logger } = captureLogger();
    const job = vi.fn<ScheduledJob>(async () => ({ exitCode: 0 }));
    await expect(
      scheduleCommand({ cron: '99 99 * * *', once: true }, { defaultCron: '0 0 * * *', job, logger, signal }),
    ).rejects.toMatchObject({
      code: 'SCHEDULE_INVALID',
    });
    expect(job).not.toHaveBeenCalled();
  });
});
