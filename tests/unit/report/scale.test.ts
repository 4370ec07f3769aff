import { describe, expect, it } from 'vitest';
import { formatCompact, formatGrouped, niceTicks } from '../../../src/report/scale.ts';

describe('niceTicks', () => {
  it.each([
    [21, [0, 5, 10, 15, 20, 25]],
    [5_000_000, [0, 1e6, 2e6, 3e6, 4e6, 5e6]],
    [1064, [0, 250, 500, 750, 1000, 1250]],
    [0.7, [0, 0.2, 0.4, 0.6, 0.8]],
    [1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
  ])('covers %d with round steps', (max, ticks) => {
    const t = niceTicks(max);
    expect(t.ticks).toEqual(ticks);
    expect(t.max).toBeGreaterThanOrEqual(max);
  });

  it('survives zero, negative and non-finite maxima', () => {
    for (const max of [0, -3, Number.NaN, Number.POSITIVE_INFINITY])
      expect(niceTicks(max)).toEqual({ max: 1, ticks: [0, 1] });
  });
});

describe('number formats', () => {
  it('is compact for ticks and grouped for values', () => {
    expect(formatCompact(5_000_000)).toBe('5M');
    expect(formatCompact(124_000)).toBe('124K');
    expect(formatGrouped(6012.5)).toBe('6,012.5');
    expect(formatGrouped(1 / 3)).toBe('0.33');
  });
});
