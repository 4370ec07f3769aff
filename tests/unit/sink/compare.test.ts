import { describe, expect, it } from 'vitest';
import { compareWithLog, type LogRecord } from '../../../src/sink/compare.ts';
import { recordsOfObject } from '../../../src/sink/read-back.ts';

const log: LogRecord[] = [0, 1, 2, 3].map((o) => ({
  topic: 't',
  partition: 0,
  offset: o,
  value: `{"o":${o}}`,
}));

describe('compareWithLog', () => {
  it('passes when every offset is stored once with its value', () => {
    const stored = recordsOfObject(
      'topics/t/partition=0/t+0+0000000000.json',
      '{"o":0}\n{"o":1}\n{"o":2}\n{"o":3}\n',
    );
    expect(compareWithLog(log, stored)).toEqual({
      logRecords: 4,
      storedLines: 4,
      missing: [],
      duplicated: 0,
      mismatched: [],
      unknown: 0,
    });
  });

  it('finds missing, duplicated, changed and unknown offsets; rejected ones are not missing', () => {
    const stored = [
      ...recordsOfObject('topics/t/partition=0/t+0+0000000000.json', '{"o":0}\n{"o":1}\n'),
      ...recordsOfObject('topics/t/partition=0/t+0+0000000001.json', '{"o":1}\n'),
      ...recordsOfObject('topics/t/partition=0/t+0+0000000003.json', '{"o":9}\n{"o":4}\n'),
    ];
    const r = compareWithLog(log, stored, new Set(['t:0:2']));
    expect(r.missing).toEqual([]);
    expect(r.duplicated).toBe(1);
    expect(r.mismatched).toEqual([{ topic: 't', partition: 0, offset: 3 }]);
    expect(r.unknown).toBe(1);
    expect(compareWithLog(log, stored).missing).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
  });
});
