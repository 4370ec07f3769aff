import { describe, expect, it } from 'vitest';
import { resolveSinkOptions, selectTopics } from '../../../src/sink/options.ts';
import { testProfile } from '../../helpers/profile.ts';

describe('sink options', () => {
  const profile = testProfile();

  it('defaults to the profile: three topics, group, bucket, flush.size', () => {
    const o = resolveSinkOptions({ profile });
    expect(o.topics).toEqual({
      kind: 'list',
      names: ['0e7ae8feb921.pin', '0e7ae8feb921.geo', '0e7ae8feb921.user'],
    });
    expect(o.groupId).toBe(profile.sink.groupId);
    expect(o.bucket).toBe(profile.s3.bucket);
    expect(o.flushSize).toBe(1000);
    expect(o.layout).toEqual({ prefix: '', topicsDir: 'topics', errorsDir: 'errors' });
  });

  it('takes overrides and matches topics.regex against whole names', () => {
    const o = resolveSinkOptions({
      profile,
      topicsRegex: 'abc\\..*',
      flushSize: 1,
      groupId: 'g',
      bucket: 'b',
      prefix: 'p',
    });
    expect(o).toMatchObject({ flushSize: 1, groupId: 'g', bucket: 'b', layout: { prefix: 'p' } });
    expect(selectTopics(o.topics, ['abc.pin', 'xabc.pin', 'abc.geo', '__consumer_offsets']).topics).toEqual([
      'abc.geo',
      'abc.pin',
    ]);
    const list = resolveSinkOptions({ profile, topics: ['a', 'b'] });
    expect(selectTopics(list.topics, ['a'])).toEqual({ topics: ['a'], missing: ['b'] });
  });

  it('rejects bad values with USAGE errors', () => {
    expect(() => resolveSinkOptions({ profile, flushSize: 0 })).toThrow(/flush.size/);
    expect(() => resolveSinkOptions({ profile, topicsRegex: '(' })).toThrow(/not a valid regular expression/);
    expect(() => resolveSinkOptions({ profile, topics: ['a'], topicsRegex: 'a' })).toThrow(/either/);
    expect(() => resolveSinkOptions({ profile, sessionTimeoutMs: 1000 })).toThrow(/sessionTimeoutMs/);
  });

  it('gives the exact USAGE message for each bad value, after the profile defaults', () => {
    const cases: [Omit<Parameters<typeof resolveSinkOptions>[0], 'profile'>, string][] = [
      [{ flushSize: -1 }, 'flush.size must be a whole number ≥ 1 (got -1).'],
      [{ flushSize: 1.5 }, 'flush.size must be a whole number ≥ 1 (got 1.5).'],
      [{ rotateIntervalMs: -5 }, 'rotate.interval.ms must be a whole number ≥ 0 (got -5).'],
      [
        { rotateScheduleIntervalMs: Number.NaN },
        'rotate.schedule.interval.ms must be a whole number ≥ 0 (got NaN).',
      ],
      [{ progressIntervalMs: -1 }, 'progressIntervalMs must be a whole number ≥ 0 (got -1).'],
      [{ sessionTimeoutMs: 5999 }, 'sessionTimeoutMs must be a whole number ≥ 6000 (got 5999).'],
      [{ uploadRetryMs: 0 }, 'uploadRetryMs must be a whole number ≥ 1 (got 0).'],
      [{ uploadConcurrency: 0 }, 'uploadConcurrency must be a whole number ≥ 1 (got 0).'],
      [
        { topics: ['a'], topicsRegex: 'a', flushSize: 0 },
        'Give either --topics or --topics-regex, not both.',
      ],
      [{ topics: [] }, 'No topics to sink: give --topics or --topics-regex.'],
      [{ sessionTimeoutMs: 1, flushSize: 0 }, 'sessionTimeoutMs must be a whole number ≥ 6000 (got 1).'],
    ];
    for (const [opts, message] of cases) {
      expect(() => resolveSinkOptions({ profile, ...opts })).toThrow(
        expect.objectContaining({ code: 'USAGE', message }),
      );
    }
    const badProfile = testProfile((p) => ({ ...p, sink: { ...p.sink, flushSize: 0 } }));
    expect(() => resolveSinkOptions({ profile: badProfile })).toThrow(
      expect.objectContaining({ code: 'USAGE', message: 'flush.size must be a whole number ≥ 1 (got 0).' }),
    );
  });
});
