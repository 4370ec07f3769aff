import { describe, expect, it } from 'vitest';
import { blockSize, chunk, rateDelay } from '../../../src/emulator/plan.ts';
import { deriveSeed, drawInds, mulberry32 } from '../../../src/emulator/prng.ts';

describe('batching plan', () => {
  it('cuts posts into requests of at most `batch` records', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
    expect(chunk([], 100)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  it('fetches a whole number of batches per block, never more than remaining', () => {
    expect(blockSize(1, 10_000)).toBe(256);
    expect(blockSize(100, 10_000)).toBe(300);
    expect(blockSize(500, 10_000)).toBe(500);
    expect(blockSize(100, 42)).toBe(42);
    expect(blockSize(1, 0)).toBe(0);
  });

  it('spaces posts for a posts/s cap', () => {
    expect(rateDelay(10, undefined, 0)).toBe(0);
    expect(rateDelay(10, 5, 0)).toBe(2000);
    expect(rateDelay(10, 5, 2500)).toBe(0);
    expect(rateDelay(0, 5, 0)).toBe(0);
  });
});

describe('seeded row choice', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = drawInds(mulberry32(42), 1000, 11_000);
    expect(drawInds(mulberry32(42), 1000, 11_000)).toEqual(a);
    expect(drawInds(mulberry32(43), 1000, 11_000)).not.toEqual(a);
  });

  it('stays in [1, N] and covers both ends', () => {
    const inds = drawInds(mulberry32(7), 20_000, 10);
    expect(Math.min(...inds)).toBe(1);
    expect(Math.max(...inds)).toBe(10);
  });

  it('derives an independent stream for the faithful sleeps', () => {
    expect(deriveSeed(42, 1)).not.toBe(42);
    expect(deriveSeed(42, 1)).toBe(deriveSeed(42, 1));
  });
});
