import { describe, expect, it } from 'vitest';
import {
  PartitionBuffer,
  nextScheduledRotation,
  type ClosedObject,
} from '../../../src/sink/partition-buffer.ts';

const policy = (
  p: Partial<{ flushSize: number; rotateIntervalMs: number; rotateScheduleIntervalMs: number }> = {},
) => ({
  flushSize: 3,
  rotateIntervalMs: 0,
  rotateScheduleIntervalMs: 0,
  ...p,
});
const rec = (offset: number, timestamp = 1000) => ({ offset, timestamp, line: `{"o":${offset}}` });
const spans = (objs: ClosedObject[]) => objs.map((o) => [o.startOffset, o.lastOffset, o.reason]);

describe('PartitionBuffer: object boundaries', () => {
  it('closes an object every flush.size records, named by its first offset', () => {
    const b = new PartitionBuffer('t', 0, policy());
    const out: ClosedObject[] = [];
    for (let o = 10; o < 18; o++) out.push(...b.append(rec(o), 0));
    expect(spans(out)).toEqual([
      [10, 12, 'flush.size'],
      [13, 15, 'flush.size'],
    ]);
    expect(out[0]!.lines).toEqual(['{"o":10}', '{"o":11}', '{"o":12}']);
    expect(b.size).toBe(2);
    expect(b.startOffset).toBe(16);
    expect(b.committable).toBe(16);
    expect(spans(b.close('drain'))).toEqual([[16, 17, 'drain']]);
    expect(b.committable).toBe(18);
  });

  it('flush.size 1 gives one object per record', () => {
    const b = new PartitionBuffer('t', 0, policy({ flushSize: 1 }));
    expect(spans([...b.append(rec(0), 0), ...b.append(rec(1), 0)])).toEqual([
      [0, 0, 'flush.size'],
      [1, 1, 'flush.size'],
    ]);
  });

  it('is deterministic: a replay from the same offset cuts the same objects', () => {
    const run = () => {
      const b = new PartitionBuffer('t', 0, policy({ flushSize: 4, rotateIntervalMs: 100 }));
      const out: ClosedObject[] = [];
      for (let o = 0; o < 20; o++) out.push(...b.append(rec(o, o * 30), Math.random() * 1e9));
      return spans(out);
    };
    expect(run()).toEqual(run());
  });

  it('rotate.interval.ms closes before a record ≥ interval past the first one (record time)', () => {
    const b = new PartitionBuffer('t', 0, policy({ flushSize: 100, rotateIntervalMs: 1000 }));
    expect(b.append(rec(0, 5000), 0)).toEqual([]);
    expect(b.append(rec(1, 5999), 0)).toEqual([]);
    expect(b.append(rec(2, 4000), 0)).toEqual([]); // older timestamps never rotate
    expect(spans(b.append(rec(3, 6000), 0))).toEqual([[0, 2, 'rotate.interval.ms']]);
    expect(b.startOffset).toBe(3);
  });

  it('rotate.schedule.interval.ms rotates by wall clock on the aligned grid', () => {
    expect(nextScheduledRotation(1_000, 60_000)).toBe(60_000);
    expect(nextScheduledRotation(60_000, 60_000)).toBe(120_000);
    expect(nextScheduledRotation(86_399_000, 7 * 3_600_000)).toBe(86_400_000);
    const b = new PartitionBuffer('t', 0, policy({ flushSize: 100, rotateScheduleIntervalMs: 1000 }));
    b.append(rec(0), 500);
    expect(b.dueBySchedule(999)).toBe(false);
    expect(b.dueBySchedule(1000)).toBe(true);
    expect(spans(b.append(rec(1), 1200))).toEqual([[0, 0, 'rotate.schedule.interval.ms']]);
    expect(b.dueBySchedule(1999)).toBe(false);
    expect(spans(b.close('rotate.schedule.interval.ms'))).toEqual([[1, 1, 'rotate.schedule.interval.ms']]);
    expect(b.dueBySchedule(5000)).toBe(false); // nothing open
  });

  it('keeps offsets consecutive: a skipped record or a gap closes the object', () => {
    const b = new PartitionBuffer('t', 0, policy({ flushSize: 10 }));
    b.append(rec(0), 0);
    b.append(rec(1), 0);
    expect(spans(b.skip(2))).toEqual([[0, 1, 'offset-gap']]);
    expect(b.committable).toBe(3);
    b.append(rec(3), 0);
    expect(spans(b.append(rec(5), 0))).toEqual([[3, 3, 'offset-gap']]);
    expect(spans(b.advanceTo(9))).toEqual([[5, 5, 'offset-gap']]);
    expect(b.committable).toBe(9);
  });

  it('ignores re-delivered offsets below the position', () => {
    const b = new PartitionBuffer('t', 0, policy({ flushSize: 10 }));
    b.advanceTo(5);
    expect(b.isDuplicate(4)).toBe(true);
    expect(b.append(rec(4), 0)).toEqual([]);
    expect(b.size).toBe(0);
    b.append(rec(5), 0);
    b.append(rec(5), 0);
    expect(b.size).toBe(1);
  });
});
