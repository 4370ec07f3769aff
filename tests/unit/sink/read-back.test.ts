import { describe, expect, it } from 'vitest';
import { dedupeByOffset, recordsOfObject } from '../../../src/sink/read-back.ts';
import { objectBody } from '../../../src/sink/s3-store.ts';

describe('reading objects back', () => {
  it('gives each line the offset start + line number', () => {
    const key = 'x/topics/t/partition=1/t+1+0000000040.json';
    const recs = recordsOfObject(key, objectBody(['{"a":1}', '{"a":2}']));
    expect(recs.map((r) => [r.partition, r.offset, r.line])).toEqual([
      [1, 40, '{"a":1}'],
      [1, 41, '{"a":2}'],
    ]);
    expect(recordsOfObject('x/errors/t/partition=1/0000000001.json', '{}\n')).toEqual([]);
  });

  it('drops overlapping copies of an offset (wall-clock rotation after a replay)', () => {
    const a = recordsOfObject('topics/t/partition=0/t+0+0000000000.json', objectBody(['1', '2', '3']));
    const b = recordsOfObject('topics/t/partition=0/t+0+0000000002.json', objectBody(['3', '4']));
    const { records, duplicates } = dedupeByOffset([...b, ...a]);
    expect(duplicates).toBe(1);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
  });
});
