/**
 * An abort signal for one AWS SDK request, linked to the run's signal only until `done()`. The SDK
 * keeps an abort listener on the signal it is given until the request closes (for GetObject: until
 * the body is read), so each request gets a signal of its own. The run's signal carries a single
 * listener whatever the number of requests in flight (16 fetches at once, one listener each, passed
 * Node's limit of ten and printed MaxListenersExceededWarning); it is removed when the last request
 * in flight is done.
 */
const inFlight = new WeakMap<AbortSignal, { requests: Set<AbortController>; onAbort: () => void }>();

export function requestSignal(parent: AbortSignal | undefined): { signal: AbortSignal; done(): void } {
  const ctl = new AbortController();
  if (!parent) return { signal: ctl.signal, done: () => undefined };
  if (parent.aborted) {
    ctl.abort(parent.reason);
    return { signal: ctl.signal, done: () => undefined };
  }
  let link = inFlight.get(parent);
  if (!link) {
    const requests = new Set<AbortController>();
    const onAbort = () => {
      inFlight.delete(parent);
      for (const r of requests) r.abort(parent.reason);
      requests.clear();
    };
    link = { requests, onAbort };
    inFlight.set(parent, link);
    parent.addEventListener('abort', onAbort, { once: true });
  }
  const { requests, onAbort } = link;
  requests.add(ctl);
  return {
    signal: ctl.signal,
    done: () => {
      if (!requests.delete(ctl) || requests.size > 0) return;
      parent.removeEventListener('abort', onAbort);
      if (inFlight.get(parent)?.onAbort === onAbort) inFlight.delete(parent);
    },
  };
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
