/**
 * Batching plan (pure). Posts are drawn in blocks (one MySQL query per table per block), and each
 * block is cut into requests of `batch` records per topic.
 */

/** Posts per MySQL fetch: a whole number of batches, about `target` posts, never more than `remaining`. */
export function blockSize(batch: number, remaining: number, target = 256): number {
  const perBlock = Math.max(batch, Math.ceil(target / batch) * batch);
  return Math.max(0, Math.min(perBlock, remaining));
}

/** Cuts `n` items into consecutive slices of at most `batch`. */
export function chunk<T>(items: readonly T[], batch: number): T[][] {
  if (batch < 1) throw new RangeError('batch must be at least 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += batch) out.push(items.slice(i, i + batch));
  return out;
}

/** Earliest start time (ms after the run started) of the post numbered `postsSoFar`, for a posts/s cap. */
export function rateDelay(postsSoFar: number, rate: number | undefined, elapsedMs: number): number {
  if (!rate) return 0;
  return Math.max(0, (postsSoFar / rate) * 1000 - elapsedMs);
}
