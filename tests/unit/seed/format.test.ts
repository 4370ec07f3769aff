import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatDatetime, formatFollowers, pickWeighted, utcSeconds } from '../../../src/seed/format.ts';
import { tsvField, tsvLine, tsvStream } from '../../../src/seed/tsv.ts';

describe('formatFollowers', () => {
  it.each([
    [0, false, '0'],
    [999, true, '999'],
    [8632, false, '8632'],
    [1234, true, '1.2k'],
    [8032, true, '8k'],
    [124_999, false, '124k'],
    [5_400_000, true, '5M'],
  ])('%i (decimal %s) → %s', (n, decimal, want) => {
    expect(formatFollowers(n, decimal)).toBe(want);
  });
});

describe('formatDatetime', () => {
  it('formats UTC seconds as MySQL DATETIME text', () => {
    expect(formatDatetime(utcSeconds(2020, 8, 28) + 3 * 3600 + 52 * 60 + 47)).toBe('2020-08-28 03:52:47');
  });
});

describe('pickWeighted', () => {
  it('maps draws to buckets by cumulative weight', () => {
    expect([0, 1, 2, 3, 5].map((d) => pickWeighted([2, 1, 3], d))).toEqual([0, 0, 1, 2, 2]);
  });
});

describe('tsv', () => {
  it('escapes what LOAD DATA would misread', () => {
    expect(tsvField('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(tsvLine([1, 'x', -1.5])).toBe('1\tx\t-1.5\n');
  });

  it('streams every row in chunks, paced by the sink', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [i + 1, `r${i + 1}`]);
    const seen: number[] = [];
    const sink = { writableLength: 0, once: () => undefined };
    const text = await streamText(
      tsvStream(rows[Symbol.iterator](), { chunkRows: 1000, onRows: (n) => seen.push(n), sink }),
    );
    expect(text.split('\n').filter(Boolean)).toHaveLength(2500);
    expect(seen).toEqual([1000, 1000, 500]);
  });

  it('fails the stream when the signal fires', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    const rows = [[1, 'a']][Symbol.iterator]();
    await expect(streamText(tsvStream(rows, { signal: ac.signal }))).rejects.toThrow('stop');
  });
});

async function streamText(s: Readable): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}
