import { describe, expect, it } from 'vitest';
import { runEmulator } from '../../../src/emulator/emulator.ts';
import { DEFAULT_FAST_COUNT, normaliseOptions, parseDuration } from '../../../src/emulator/options.ts';
import { testProfile } from '../../helpers/profile.ts';
import { failureHint, formatSummary } from '../../../src/emulator/format.ts';
import { Tally } from '../../../src/emulator/tally.ts';

describe('options', () => {
  it('fast mode sends a bounded count by default; faithful runs until stopped, one at a time', () => {
    expect(normaliseOptions({}).count).toBe(DEFAULT_FAST_COUNT);
    expect(normaliseOptions({ durationMs: 1000 }).count).toBeUndefined();
    const f = normaliseOptions({ faithful: true, seed: 1 });
    expect([f.mode, f.count, f.batch, f.concurrency, f.seed]).toEqual(['faithful', undefined, 1, 1, 1]);
  });

  it('refuses nonsense with USAGE', () => {
    expect(() => normaliseOptions({ batch: 0 })).toThrow(/batch/);
    expect(() => normaliseOptions({ concurrency: 1.5 })).toThrow(/whole number/);
    expect(() => normaliseOptions({ faithful: true, batch: 10 })).toThrow(/faithful/);
  });

  it('gives the exact USAGE message for each bad value', () => {
    const cases: [Parameters<typeof normaliseOptions>[0], string][] = [
      [{ count: 0 }, 'count must be a positive number (got 0).'],
      [{ count: 2.5 }, 'count must be a whole number (got 2.5).'],
      [{ durationMs: -1 }, 'duration must be a positive number (got -1).'],
      [{ rate: Number.NaN }, 'rate must be a positive number (got NaN).'],
      [{ rate: Number.POSITIVE_INFINITY }, 'rate must be a positive number (got Infinity).'],
      [{ concurrency: 1.5 }, 'concurrency must be a whole number (got 1.5).'],
      [{ batch: 0, count: -2 }, 'count must be a positive number (got -2).'],
      [
        { faithful: true, concurrency: 2 },
        '--faithful sends one record per request, one request at a time: drop --batch/--concurrency.',
      ],
      [{ seed: 1.5 }, 'seed must be an integer (got 1.5).'],
    ];
    for (const [opts, message] of cases) {
      expect(() => normaliseOptions(opts)).toThrow(expect.objectContaining({ code: 'USAGE', message }));
    }
  });

  it('validates a programmatic runEmulator call before any I/O', async () => {
    await expect(runEmulator({ profile: testProfile(), count: 0 })).rejects.toMatchObject({
      code: 'USAGE',
      message: 'count must be a positive number (got 0).',
    });
  });

  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(() => parseDuration('soon')).toThrow(/duration/);
  });
});

describe('tally and summary', () => {
  it('counts acknowledged inds with repeats, failures per topic, and distinct inds', () => {
    const t = new Tally({ pipelineId: 'abc123' });
    const pins = [{ index: 1 }, { index: 2 }, { index: 1 }];
    t.record('pin', pins, {
      outcome: { kind: 'ok', failed: [{ index: 1, errorCode: 50002, message: 'boom' }] },
      attempts: 1,
      latencyMs: 5,
    });
    t.record('geo', [{ ind: 1 }], {
      outcome: { kind: 'reject', status: 404, errorCode: 40401, message: 'no topic' },
      attempts: 1,
      latencyMs: 2,
    });
    t.record('user', [{ ind: 1 }], {
      outcome: { kind: 'error', message: 'ECONNREFUSED' },
      attempts: 5,
      latencyMs: 900,
    });
    const s = t.summary({
      target: 'http://x',
      mode: 'fast',
      seed: 1,
      batch: 3,
      concurrency: 1,
      rate: null,
      sourceRows: 10,
      elapsedMs: 1000,
      stopReason: 'count',
    });
    expect(s.topics.pin).toMatchObject({
      topic: 'abc123.pin',
      sent: 3,
      acknowledged: 2,
      failed: 1,
      inds: [1, 1],
      distinctInds: 1,
    });
    expect(s.topics.geo).toMatchObject({ sent: 1, acknowledged: 0, failed: 1 });
    expect(s.records).toEqual({ sent: 5, acknowledged: 2, failed: 3, missing: 0 });
    expect(s.requests).toEqual({ sent: 3, retried: 1, failed: 2, throttled: 0 });
    expect(s.recordsPerSecond).toBe(2);
    expect(s.failures.map((f) => f.message)).toEqual(['boom', 'no topic', 'ECONNREFUSED']);
    expect(formatSummary(s)).toMatch(/abc123\.geo\s+1\s+0\s+1/);
    expect(failureHint(s, 'proxy', 'http://p')).toMatch(/pinpipe provision/);
    expect(failureHint({ ...s, failures: [] }, 'gateway', 'http://p:8082')).toMatch(
      /http:\/\/p:8082.*pinpipe proxy/,
    );
    // Kafka unavailable behind a running proxy: the hint names Kafka, not the proxy
    const kafkaDown = {
      ...s,
      failures: [{ topic: 'abc123.pin', status: 503, errorCode: 50003, message: 'Kafka error', records: 3 }],
    };
    for (const via of ['gateway', 'proxy'] as const) {
      const hint = failureHint(kafkaDown, via, 'http://p:8082');
      expect(hint).toMatch(/^Kafka is unavailable behind the REST proxy \(error_code 50003/);
      expect(hint).not.toMatch(/is `pinpipe proxy` running/);
    }
  });
});
