/**
 * Polls `probe` until `done(value)` holds or the deadline passes. On timeout it throws an error that
 * names what was awaited and the last value seen (or the last error the probe threw), so a failure
 * says why instead of "expected false to be true".
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  opts: { timeoutMs: number; what: string; intervalMs?: number; done?: (value: T) => boolean },
): Promise<T> {
  const done = opts.done ?? ((v: T) => Boolean(v));
  const interval = opts.intervalMs ?? 200;
  const deadline = Date.now() + opts.timeoutMs;
  let last: { value?: T; error?: unknown };
  for (;;) {
    try {
      const value = await probe();
      last = { value };
      if (done(value)) return value;
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen =
        'error' in last
          ? `the probe threw ${last.error instanceof Error ? last.error.message : String(last.error)}`
          : `last saw ${show(last.value)}`;
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}; ${seen}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
}

function show(v: unknown): string {
  try {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    // the end is kept: for a growing log it is the part that says where things stand
    return s === undefined ? String(v) : s.length > 600 ? `…${s.slice(-600)}` : s;
  } catch {
    return String(v);
  }
}
