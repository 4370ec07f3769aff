import { describe, expect, it } from 'vitest';
import { planFetch, type Manifest } from '../../../src/batch/fetch.ts';
import { INVALID_UTF8_MARKER, chunkObjects, sanitizeUtf8 } from '../../../src/batch/load-objects.ts';
import { isRunDate, outputKey, parseSinkKey, sinkKey } from '../../../src/batch/object-keys.ts';
import type { SinkObject } from '../../../src/batch/types.ts';
import { objectKey } from '../../../src/sink/keys.ts';

const topics = { pin: 'abc123.pin', geo: 'abc123.geo', user: 'abc123.user' };

describe('sink object keys (docs/spec.md#s3-layout)', () => {
  it('parses topic, partition and start offset', () => {
    expect(
      parseSinkKey('topics/abc123.geo/partition=2/abc123.geo+2+0000001000.json', 'topics', topics),
    ).toEqual({
      key: 'topics/abc123.geo/partition=2/abc123.geo+2+0000001000.json',
      kind: 'geo',
      topic: 'abc123.geo',
      partition: 2,
      startOffset: 1000,
    });
  });

  it('round-trips with sinkKey, with another topics dir', () => {
    const key = sinkKey('data/topics/', 'abc123.user', 0, 42);
    expect(key).toBe('data/topics/abc123.user/partition=0/abc123.user+0+0000000042.json');
    expect(parseSinkKey(key, 'data/topics', topics)?.startOffset).toBe(42);
  });

  it.each([
    'topics/abc123.pin/partition=0/abc123.pin+1+0000000000.json', // partitions disagree
    'topics/abc123.pin/partition=0/abc123.pin+0+42.json', // offset not zero-padded
    'topics/abc123.pin/partition=0/abc123.geo+0+0000000000.json', // another topic's name
    'topics/abc123.pin/partition=0/README.txt',
    'topics/other.pin/partition=0/other.pin+0+0000000000.json',
    'topics/abc123.pinx/partition=0/abc123.pinx+0+0000000000.json',
  ])('ignores %s', (key) => {
    expect(parseSinkKey(key, 'topics', topics)).toBeUndefined();
  });

  it('reads the keys the sink writes (src/sink/keys.ts), under a nested topics dir too', () => {
    for (const layout of [
      { prefix: '', topicsDir: 'topics', errorsDir: 'errors' },
      { prefix: 'run-1', topicsDir: 'topics', errorsDir: 'errors' },
    ]) {
      const key = objectKey(layout, 'abc123.pin', 1, 12_345_678_901);
      const dir = layout.prefix ? `${layout.prefix}/topics` : 'topics';
      expect(parseSinkKey(key, dir, topics)).toMatchObject({
        kind: 'pin',
        partition: 1,
        startOffset: 12_345_678_901,
      });
    }
  });

  it('names the Parquet outputs with the run date', () => {
    expect(outputKey('curated', 'pin_clean', '2026-11-25')).toBe(
      'curated/pin_clean/run_date=2026-11-25/pin_clean.parquet',
    );
    expect(outputKey('/analytics/', 'x', '2026-01-02')).toBe('analytics/x/run_date=2026-01-02/x.parquet');
    expect(isRunDate('2026-02-29')).toBe(false);
    expect(isRunDate('2028-02-29')).toBe(true);
    expect(isRunDate('26-1-2')).toBe(false);
  });
});

describe('incremental fetch plan', () => {
  const o = (key: string, etag: string, size: number): SinkObject => ({
    key,
    etag,
    size,
    kind: 'pin',
    topic: 't',
    partition: 0,
    startOffset: 0,
  });
  const manifest: Manifest = {
    version: 1,
    bucket: 'b',
    objects: {
      a: { etag: '"1"', size: 10, fetchedAt: '' },
      b: { etag: '"2"', size: 20, fetchedAt: '' },
      c: { etag: '"3"', size: 30, fetchedAt: '' },
    },
  };
  it('fetches new, changed and missing objects only', () => {
    const plan = planFetch(
      [o('a', '"1"', 10), o('b', '"9"', 20), o('c', '"3"', 30), o('d', '"4"', 40)],
      manifest,
      (k) => k !== 'c',
    );
    expect(plan.map((x) => x.key)).toEqual(['b', 'c', 'd']);
  });
});

describe('load helpers', () => {
  it('chunks objects by file count and bytes', () => {
    const objs = Array.from({ length: 5 }, (_, i) => ({ key: String(i), size: 40 }) as SinkObject);
    expect(chunkObjects(objs, 100, 10).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunkObjects(objs, 1000, 2).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunkObjects([], 1000, 2)).toEqual([]);
  });

  it('replaces the lines that are not UTF-8 and keeps the line numbers', () => {
    const input = Buffer.concat([
      Buffer.from('{"a":1}\n'),
      Buffer.from([0x7b, 0xff, 0x7d]),
      Buffer.from('\n{"b":"é"}\n'),
    ]);
    expect(sanitizeUtf8(input).toString('utf8').split('\n')).toEqual([
      '{"a":1}',
      INVALID_UTF8_MARKER,
      '{"b":"é"}',
      '',
    ]);
  });
});
