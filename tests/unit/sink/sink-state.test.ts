import { describe, expect, it } from 'vitest';
import { SinkState, type IncomingMessage, type PendingWrite } from '../../../src/sink/sink-state.ts';

const msg = (offset: number, value: string | null = `{"o":${offset}}`): IncomingMessage => ({
  offset: String(offset),
  timestamp: '1700000000000',
  key: null,
  value: value === null ? null : Buffer.from(value),
});
const policy = { flushSize: 2, rotateIntervalMs: 0, rotateScheduleIntervalMs: 0 };
const describeWrites = (ws: PendingWrite[]) =>
  ws.map((w) =>
    w.kind === 'object' ? `obj ${w.object.startOffset}-${w.object.lastOffset}` : `err ${w.record.offset}`,
  );

describe('SinkState: batches → writes → commits', () => {
  it('commits the first offset not yet stored', () => {
    const s = new SinkState(policy);
    s.reset([{ topic: 't', partition: 0 }]);
    const ws = s.ingest('t', 0, [msg(0), msg(1), msg(2)], 0);
    expect(describeWrites(ws)).toEqual(['obj 0-1']);
    for (const w of ws) s.markStored(w, 10);
    expect(s.commitPlan()).toEqual(new Map([['t:0', 2]]));
    s.markCommitted(s.commitPlan());
    expect(s.commitPlan().size).toBe(0);
    expect(s.counters).toMatchObject({
      recordsIn: 3,
      recordsWritten: 2,
      objectsWritten: 1,
      bytesWritten: 10,
      commits: 1,
    });
    expect(describeWrites(s.closeAll('drain'))).toEqual(['obj 2-2']);
    expect(s.commitPlan()).toEqual(new Map([['t:0', 3]]));
  });

  it('sends a non-JSON record to errors/ without blocking the partition', () => {
    const s = new SinkState({ ...policy, flushSize: 10 });
    s.reset([{ topic: 't', partition: 0 }]);
    const ws = s.ingest('t', 0, [msg(0), msg(1, 'oops'), msg(2), msg(3, null)], 0);
    expect(describeWrites(ws)).toEqual(['obj 0-0', 'err 1', 'obj 2-2', 'err 3']);
    const err = ws[1]!;
    expect(err.kind === 'error' && err.record).toMatchObject({
      topic: 't',
      partition: 0,
      offset: 1,
      value: Buffer.from('oops').toString('base64'),
      reason: expect.stringContaining('not valid JSON'),
    });
    for (const w of ws) s.markStored(w, 1);
    expect(s.counters.errorRecords).toBe(2);
    expect(s.commitPlan()).toEqual(new Map([['t:0', 4]]));
  });

  it('drops every buffer uncommitted on a rebalance, and skips re-deliveries', () => {
    const s = new SinkState({ ...policy, flushSize: 10 });
    s.reset([{ topic: 't', partition: 0 }]);
    s.ingest('t', 0, [msg(0), msg(1)], 0);
    expect(s.buffered()).toBe(2);
    s.reset([{ topic: 't', partition: 1 }]);
    expect(s.buffered()).toBe(0);
    expect(s.generation).toBe(2);
    expect(s.commitPlan().size).toBe(0);
    s.ingest('t', 1, [msg(5), msg(6)], 0);
    s.ingest('t', 1, [msg(5), msg(6), msg(7)], 0);
    expect(s.counters.duplicatesSkipped).toBe(2);
    expect(s.buffered()).toBe(3);
  });

  it('seeds positions from the group offsets and reports lag', () => {
    const s = new SinkState(policy);
    s.reset([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    s.seed('t', 0, 7, true);
    s.seed('t', 1, 0, false);
    s.highWatermarks.set('t:0', 10);
    s.highWatermarks.set('t:1', 4);
    expect(s.lag()).toBe(7);
    expect(s.commitPlan()).toEqual(new Map([['t:1', 0]]));
    expect(s.position('t:0')).toBe(7);
  });
});
