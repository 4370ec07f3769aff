import { describe, expect, it } from 'vitest';
import {
  account,
  accountCounts,
  formatTable,
  losesAcknowledged,
  tableRow,
  verdict,
  type RowResult,
} from '../faults/accounting.ts';

const clean = { missing: 0, duplicated: 0, mismatched: 0, unknown: 0 };

function row(accounting: RowResult['accounting'], extra: Partial<RowResult> = {}): RowResult {
  return {
    name: 'r',
    fault: 'a fault',
    accounting,
    recoverMs: 1234,
    problems: [],
    notes: [],
    durationMs: 1000,
    ...extra,
  };
}

describe('fault bench accounting', () => {
  it('counts nothing lost and nothing duplicated when every side holds what was acknowledged', () => {
    const a = account({
      sent: 4,
      acknowledged: ['a', 'b', 'b'],
      kafka: ['a', 'b', 'b'],
      s3: ['b', 'a', 'b'],
      s3VsLog: clean,
    });
    expect(a).toEqual({
      sent: 4,
      acknowledged: 3,
      inKafka: 3,
      inS3: 3,
      lostInKafka: 0,
      lostInS3: 0,
      lost: 0,
      duplicatedAckLost: 0,
      s3Duplicated: 0,
      s3Missing: 0,
      s3Mismatched: 0,
    });
  });

  it('counts an acknowledged copy missing from Kafka as lost, per copy of a value drawn twice', () => {
    const a = account({ sent: 3, acknowledged: ['a', 'a', 'c'], kafka: ['a', 'c'], s3: null, s3VsLog: null });
    expect(a).toMatchObject({ lostInKafka: 1, lostInS3: 0, lost: 1, inS3: null, duplicatedAckLost: 0 });
  });

  it('counts a record in Kafka but not in S3 as lost once, not twice', () => {
    const a = account({
      sent: 3,
      acknowledged: ['a', 'b', 'c'],
      kafka: ['a', 'b'],
      s3: ['a'],
      s3VsLog: { ...clean, missing: 1 },
    });
    expect(a).toMatchObject({ lostInKafka: 1, lostInS3: 2, lost: 2, s3Missing: 1 });
  });

  it('counts Kafka copies beyond the acknowledged ones as duplicated (ack lost), not lost', () => {
    // 'b' written twice (first answer lost, retried), 'c' written but every answer lost (never acknowledged)
    const a = account({
      sent: 3,
      acknowledged: ['a', 'b'],
      kafka: ['a', 'b', 'b', 'c'],
      s3: ['a', 'b', 'b', 'c'],
      s3VsLog: clean,
    });
    expect(a).toMatchObject({ lost: 0, duplicatedAckLost: 2, inKafka: 4, inS3: 4 });
    expect(verdict(row(a))).toBe('ok');
    expect(tableRow(row(a))[6]).toBe('2 (ack lost)');
  });

  it('accounts by count for the overload row', () => {
    expect(accountCounts({ sent: 300, acknowledged: 5, inKafka: 7 })).toMatchObject({
      lost: 0,
      duplicatedAckLost: 2,
      inS3: null,
    });
    expect(accountCounts({ sent: 300, acknowledged: 5, inKafka: 3 })).toMatchObject({
      lost: 2,
      duplicatedAckLost: 0,
    });
  });

  it('gives the verdict LOST for lost acknowledged records, FAIL for other failures, ok otherwise', () => {
    const lost = row(account({ sent: 1, acknowledged: ['a'], kafka: [], s3: null, s3VsLog: null }));
    expect(losesAcknowledged(lost)).toBe(true);
    expect(verdict(lost)).toBe('LOST: 1 acknowledged not in Kafka');

    const dupInS3 = row(
      account({
        sent: 1,
        acknowledged: ['a'],
        kafka: ['a'],
        s3: ['a'],
        s3VsLog: { ...clean, duplicated: 1 },
      }),
    );
    expect(losesAcknowledged(dupInS3)).toBe(false);
    expect(verdict(dupInS3)).toBe('FAIL: 1 offsets twice in S3');
    expect(tableRow(dupInS3)[6]).toBe('1 in S3');

    const hung = row(null, { problems: ['sink hung (killed at 60.0 s)'], recoverMs: null });
    expect(verdict(hung)).toBe('FAIL: sink hung (killed at 60.0 s)');
    expect(tableRow(hung)).toEqual([
      'a fault',
      '–',
      '–',
      '–',
      '–',
      '–',
      '–',
      'never',
      'FAIL: sink hung (killed at 60.0 s)',
    ]);
  });

  it('prints one markdown row per fault under the header, escaping pipes', () => {
    const ok = row(account({ sent: 2, acknowledged: ['a'], kafka: ['a'], s3: null, s3VsLog: null }), {
      fault: 'Kafka | paused',
      recoverText: 'gave up after 16.0 s',
    });
    expect(formatTable([ok]).split('\n')).toEqual([
      '| fault | records sent | acknowledged | in Kafka | in S3 | lost | duplicated | time to recover | verdict |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| Kafka \\| paused | 2 | 1 | 1 | – | 0 | 0 | gave up after 16.0 s | ok |',
    ]);
  });
});
