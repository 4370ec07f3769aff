/**
 * An abort signal for one AWS SDK request, linked to the run's signal only until `done()`. The SDK
 * keeps an abort listener on the signal it is given until the request closes (for GetObject: until
 * the body is read), so 16 fetches in flight on the run's own signal passed Node's limit of ten
 * listeners and printed MaxListenersExceededWarning. Each request gets its own signal instead.
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
