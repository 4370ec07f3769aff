/**
 * Honouring "come back later" answers (pure, apart from `sleep`): a 429, or a Kafka-unavailable answer
 * (error_code 50003, or a 503 naming Retry-After), is waited out as the server asks, bounded, and
 * retried without using up the retry budget of real failures; the number of such waits is bounded too.
 */
export interface ThrottleOptions {
  /** Longest single wait, whatever Retry-After says. */
  maxWaitMs: number;
  /** Throttled answers a request may get before it counts as failed. */
  maxThrottles: number;
  /** The wait when a 429 names no Retry-After (doubles with each throttle, up to maxWaitMs). */
  fallbackMs: number;
  /**
   * The wait when a Kafka-unavailable answer names no Retry-After (a hop such as API Gateway dropped
   * it): the proxy's own Retry-After, so Kafka's return is noticed as soon as on the direct path.
   */
  unavailableMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  maxWaitMs: 30_000,
  maxThrottles: 90,
  fallbackMs: 500,
  unavailableMs: 1000,
};

/**
 * A Retry-After header in milliseconds: delta-seconds ("3") or an HTTP-date; undefined when absent
 * or unreadable. A date in the past is 0.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** How long to wait before retrying after the `throttles`-th throttled answer (1-based). */
export function throttleWaitMs(
  retryAfterMs: number | undefined,
  throttles: number,
  o: ThrottleOptions,
): number {
  const asked = retryAfterMs ?? o.fallbackMs * 2 ** Math.max(0, throttles - 1);
  return Math.min(Math.max(0, asked), o.maxWaitMs);
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
