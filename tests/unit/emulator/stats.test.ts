import { describe, expect, it } from 'vitest';
import { LatencyReservoir, latencySummary, percentile } from '../../../src/emulator/stats.ts';

describe('percentiles (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the nearest-rank member', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([5, 9], 50)).toBe(5);
    expect(percentile([4], 99)).toBe(4);
    expect(percentile([], 50)).toBe(0);
  });

  it('summarises unsorted samples numerically (not lexically)', () => {
    expect(latencySummary([100, 9, 20, 3])).toEqual({ p50: 9, p99: 100, max: 100 });
  });

  it('keeps a bounded reservoir once past its cap', () => {
    const r = new LatencyReservoir(10, () => 0);
    for (let i = 0; i < 1000; i++) r.add(i);
    expect(r.samples).toHaveLength(10);
    expect(r.samples[0]).toBe(999);
  });
});
