/**
 * An abort signal for one AWS SDK request, linked to the run's signal only until `done()`. The SDK
 * adds an abort listener per request and never removes it, so handing it the run's own signal piles
 * up one listener per object (and Node's MaxListenersExceededWarning after ten).
 */
export function requestSignal(parent: AbortSignal | undefined): { signal: AbortSignal; done(): void } {
  const ctl = new AbortController();
  if (parent?.aborted) ctl.abort(parent.reason);
  const onAbort = () => ctl.abort(parent?.reason);
  parent?.addEventListener('abort', onAbort, { once: true });
  return { signal: ctl.signal, done: () => parent?.removeEventListener('abort', onAbort) };
}

/** Runs one SDK call with a per-request signal (see requestSignal). */
export async function withRequestSignal<T>(
  parent: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const r = requestSignal(parent);
  try {
    return await fn(r.signal);
  } finally {
    r.done();
  }
}
