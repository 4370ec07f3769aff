import { describe, expect, it } from 'vitest';
import { Paced } from '../../../src/console/paced.ts';

/** A read whose duration (on a fake clock) and result the test sets; it resolves when released. */
function reader() {
  let clock = 0;
  const calls: number[] = [];
  let pending: Array<() => void> = [];
  const state = { ms: 10, value: 1, fail: false };
  const read = () =>
    new Promise<number>((resolve, reject) => {
      calls.push(clock);
      pending.push(() => {
        clock += state.ms;
        if (state.fail) reject(new Error('S3 down'));
        else resolve(state.value);
      });
    });
  const release = () => {
    const p = pending;
    pending = [];
    for (const f of p) f();
  };
  return {
    read,
    release,
    calls,
    state,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    pendingCount: () => pending.length,
  };
}

/** Calls get() and releases the read it may start, so a fast read answers at once. */
async function getReleased<T>(p: Paced<T>, r: ReturnType<typeof reader>): Promise<T> {
  const got = p.get();
  await Promise.resolve();
  r.release();
  return got;
}

describe('Paced', () => {
  it('reads again once the result is older than factor × the read time, waiting for fast reads', async () => {
    const r = reader();
    const p = new Paced(r.read, { factor: 10, waitMs: 250, now: r.now });
    expect(await getReleased(p, r)).toBe(1);
    expect(r.calls).toEqual([0]);
    // 10 ms read: not read again before 100 ms
    r.advance(50);
    expect(await p.get()).toBe(1);
    expect(r.calls).toEqual([0]);
    r.advance(50);
    r.state.value = 2;
    expect(await getReleased(p, r)).toBe(2);
    expect(r.calls).toEqual([0, 110]);
  });

  it('serves the last result while a slow read runs in the background, and paces it', async () => {
    const r = reader();
    const p = new Paced(r.read, { factor: 10, waitMs: 250, now: r.now });
    r.state.ms = 1000;
    expect(await getReleased(p, r)).toBe(1);
    // a 1 s read: due again after 10 s, and then not awaited
    r.advance(9_000);
    expect(await p.get()).toBe(1);
    expect(r.calls).toEqual([0]);
    r.advance(1_000);
    r.state.value = 2;
    expect(await p.get()).toBe(1);
    expect(r.calls).toEqual([0, 11_000]);
    expect(await p.get()).toBe(1);
    expect(r.pendingCount()).toBe(1);
    r.release();
    await Promise.resolve();
    expect(await p.get()).toBe(2);
    expect(r.calls).toEqual([0, 11_000]);
  });

  it('reports a failed read and tries again at the next call, waiting for it', async () => {
    const r = reader();
    const p = new Paced(r.read, { factor: 10, waitMs: 250, now: r.now });
    r.state.ms = 2_500;
    r.state.fail = true;
    await expect(getReleased(p, r)).rejects.toThrow('S3 down');
    r.state.fail = false;
    r.state.value = 7;
    expect(await getReleased(p, r)).toBe(7);
    expect(r.calls).toEqual([0, 2_500]);
  });
});
