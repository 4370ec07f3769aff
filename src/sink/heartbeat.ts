/**
 * Runs `work` while heartbeating the consumer group every `everyMs`, so a slow store (S3 slow or
 * down, thousands of objects) never gets the member evicted, wherever the store runs (inside
 * eachBatch, a scheduled rotation, the final flush). A heartbeat that fails (a rebalance began,
 * the member was fenced) aborts `work` through its signal and rejects with the heartbeat's error:
 * the caller must then commit nothing (also when `work` finished meanwhile). An error of `work` aborts the signal too, so no upload of
 * the same store outlives it.
 */
export async function whileHeartbeating<T>(
  work: (signal: AbortSignal) => Promise<T>,
  heartbeat: (() => Promise<void>) | undefined,
  everyMs: number,
): Promise<T> {
  const fence = new AbortController();
  let failed: { err: unknown } | undefined;
  let beating = false;
  const timer = heartbeat
    ? setInterval(() => {
        if (beating || fence.signal.aborted) return;
        beating = true;
        heartbeat()
          .catch((err: unknown) => {
            failed ??= { err };
            fence.abort(err);
          })
          .finally(() => {
            beating = false;
          });
      }, everyMs)
    : undefined;
  try {
    const result = await work(fence.signal);
    if (failed) throw failed.err;
    return result;
  } catch (err) {
    if (failed) throw failed.err;
    fence.abort(err);
    throw err;
  } finally {
    if (timer) clearInterval(timer);
  }
}
