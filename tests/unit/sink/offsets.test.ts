import { describe, expect, it } from 'vitest';
import {
  caughtUp,
  commitNeeded,
  drainCounts,
  lagOf,
  parseTpKey,
  toCommitOffsets,
  tpKey,
} from '../../../src/sink/offsets.ts';

describe('offset bookkeeping', () => {
  it('round-trips topic-partition keys', () => {
    expect(parseTpKey(tpKey('a.b-c_d', 12))).toEqual({ topic: 'a.b-c_d', partition: 12 });
  });

  it('commits only forward', () => {
    expect(commitNeeded(undefined, 3)).toBeUndefined();
    expect(commitNeeded(5, undefined)).toBe(5);
    expect(commitNeeded(5, 5)).toBeUndefined();
    expect(commitNeeded(4, 5)).toBeUndefined();
    expect(commitNeeded(6, 5)).toBe(6);
  });

  it('computes lag and drain completion', () => {
    expect(lagOf(10, 4)).toBe(6);
    expect(lagOf(10, 12)).toBe(0);
    expect(lagOf(undefined, 4)).toBe(0);
    const targets = new Map([
      ['t:0', 10],
      ['t:1', 0],
    ]);
    const pos = new Map<string, number>([['t:0', 9]]);
    expect(caughtUp(['t:0', 't:1'], (k) => pos.get(k), targets)).toBe(false);
    expect(caughtUp(['t:1'], (k) => pos.get(k), targets)).toBe(false); // position unknown yet
    pos.set('t:0', 10);
    pos.set('t:1', 0);
    expect(caughtUp(['t:0', 't:1', 'u:0'], (k) => pos.get(k), targets)).toBe(true);
  });

  it('turns a commit plan into the Kafka client commit offsets', () => {
    expect(
      toCommitOffsets(
        new Map([
          ['a:0', 3],
          ['b:1', 4],
        ]),
      ),
    ).toEqual([
      { topic: 'a', partition: 0, offset: 3n, leaderEpoch: -1 },
      { topic: 'b', partition: 1, offset: 4n, leaderEpoch: -1 },
    ]);
  });

  it('counts what a drain will store: records read and held as well as those still to read', () => {
    const targets = new Map([
      ['t:0', 120],
      ['t:1', 50],
      ['t:2', 30],
    ]);
    const at = {
      // t:0 read everything (held in open objects), t:1 read half, t:2 never committed (low 10)
      position: (k: string) => ({ 't:0': 120, 't:1': 25 })[k],
      committed: (k: string) => ({ 't:0': 20, 't:1': 0 })[k],
      low: (k: string) => ({ 't:0': 0, 't:1': 0, 't:2': 10 })[k],
    };
    expect(drainCounts(['t:0', 't:1', 't:2'], targets, at)).toEqual({ toRead: 45, toStore: 170 });
    // nothing held, nothing to read
    expect(
      drainCounts(['t:0'], targets, { position: () => 120, committed: () => 120, low: () => 0 }),
    ).toEqual({ toRead: 0, toStore: 0 });
  });
});
