/**
 * Runs `work` for as long as `fence` (a generation's signal, src/sink/sink-life.ts) is intact, so a
 * slow store (S3 slow or down, thousands of objects) stops as soon as the group rebalances, wherever
 * it runs (a slice of records, a scheduled rotation, the final flush). The group's heartbeats are the
 * Kafka client's own business and go on meanwhile. When the fence aborts, `work`'s signal aborts and
 * the call rejects with the fence's reason once `work` settled: the caller must then commit nothing
 * (also when `work` finished meanwhile). An error of `work` aborts the signal too, so no upload of
 * the same store outlives it.
 */
export async function whileFenced<T>(
  work: (signal: AbortSignal) => Promise<T>,
  fence: AbortSignal,
): Promise<T> {
  const own = new AbortController();
  const signal = AbortSignal.any([fence, own.signal]);
  try {
    const result = await work(signal);
    if (fence.aborted) throw fence.reason;
    return result;
  } catch (err) {
    own.abort(err);
    if (fence.aborted) throw fence.reason;
    throw err;
  }
}
