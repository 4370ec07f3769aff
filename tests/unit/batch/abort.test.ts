import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { requestSignal, withRequestSignal } from '../../../src/batch/abort.ts';

describe('per-request abort signals', () => {
  it('leave no listener on the run signal after the request, however many requests ran', async () => {
    const run = new AbortController();
    for (let i = 0; i < 50; i++) await withRequestSignal(run.signal, async (s) => s.aborted);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('abort the request when the run is aborted, before or during it', () => {
    const run = new AbortController();
    const r = requestSignal(run.signal);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    run.abort(new Error('stop'));
    expect(r.signal.aborted).toBe(true);
    expect((r.signal.reason as Error).message).toBe('stop');
    expect(requestSignal(run.signal).signal.aborted).toBe(true);
    expect(requestSignal(undefined).signal.aborted).toBe(false);
  });
});
