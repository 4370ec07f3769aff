import { describe, expect, it } from 'vitest';
import { describePlan, describeSlice, describeWrites } from '../../../src/sink/describe-offsets.ts';
import type { PendingWrite } from '../../../src/sink/sink-state.ts';

const object = (partition: number, startOffset: number, n: number): PendingWrite => ({
  kind: 'object',
  object: {
    topic: 't',
    partition,
    startOffset,
    lastOffset: startOffset + n - 1,
    lines: Array.from({ length: n }, () => '{}'),
    reason: 'flush.size',
  },
});

describe('the offsets a sink log line names', () => {
  it('names each partition of writes up to the last offset they hold, an object or a rejected record', () => {
    const rejected: PendingWrite = {
      kind: 'error',
      record: {
        topic: 't',
        partition: 1,
        offset: 40,
        timestamp: 0,
        reason: 'not JSON',
        key: null,
        value: null,
      },
    };
    expect(describeWrites([object(0, 10, 5), object(0, 0, 10), rejected, object(1, 30, 3)])).toBe(
      't:0 up to offset 14, t:1 up to offset 40',
    );
    expect(describeWrites([])).toBe('');
  });

  it('names a commit plan below its offsets and a slice up to its last record', () => {
    expect(
      describePlan(
        new Map([
          ['t:0', 15],
          ['t:1', 41],
        ]),
      ),
    ).toBe('t:0 below offset 15, t:1 below offset 41');
    expect(describeSlice(new Map([['t:2', [{ offset: 7n }, { offset: 9n }]]]))).toBe('t:2 up to offset 9');
  });
});
