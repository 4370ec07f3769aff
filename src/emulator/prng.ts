/**
 * A small seeded PRNG (mulberry32) so `--seed` reproduces the row choice exactly, on every platform.
 * Not for cryptography.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [min, max]. */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Draws `n` inds uniformly from [1, max], with replacement (as the original does). */
export function drawInds(rng: Rng, n: number, max: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = randInt(rng, 1, max);
  return out;
}

/** A second, independent stream from the same seed (the faithful mode's sleeps), so row choice does not depend on the mode. */
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + stream) >>> 0;
}
