import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSender } from '../../../src/emulator/sender.ts';
import { proxyAuthHeaders } from '../../../src/emulator/target.ts';
import { DEFAULT_THROTTLE, parseRetryAfter, sleep, throttleWaitMs } from '../../../src/emulator/throttle.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { readEnv } from '../../../src/config/env.ts';
import { loadProfile } from '../../../src/config/load.ts';

const OK = JSON.stringify({
  offsets: [{ partition: 0, offset: 0, error_code: null, error: null }],
  key_schema_id: null,
  value_schema_id: null,
});
const TOO_MANY = '{"error_code":429,"message":"Request rate limit exceeded"}';

type Answer = { status: number; body: string; headers?: Record<string, string> };

/** A local server answering the n-th request (0-based) with answers[n] (the last one repeats). */
async function scripted(answers: Answer[]) {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answers[Math.min(seen.length, answers.length - 1)]!;
      seen.push(req.headers);
      res.writeHead(a.status, { 'content-type': 'application/vnd.kafka.v2+json', ...a.headers }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const fast = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5 };

describe('Retry-After parsing and bounds (pure)', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('reads delta-seconds and HTTP-dates; anything else is "not given"', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['0'], now)).toBe(0);
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
  it('waits as asked, up to maxWaitMs; without Retry-After it doubles from fallbackMs', () => {
    const o = { maxWaitMs: 4000, maxThrottles: 5, fallbackMs: 500, unavailableMs: 1000 };
    expect(throttleWaitMs(2000, 1, o)).toBe(2000);
    expect(throttleWaitMs(3_600_000, 1, o)).toBe(4000);
    expect([1, 2, 3, 4].map((n) => throttleWaitMs(undefined, n, o))).toEqual([500, 1000, 2000, 4000]);
  });
});

describe('sleep (fake timers)', () => {
  afterEach(() => vi.useRealTimers());
  it('resolves after the wait, or at once when aborted', async () => {
    vi.useFakeTimers();
    let done = false;
    void sleep(2000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    const c = new AbortController();
    let early = false;
    void sleep(60_000, c.signal).then(() => (early = true));
    c.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(early).toBe(true);
  });
});

describe('sender: 429 and Retry-After', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('waits what Retry-After says after each 429, retries without using the retry budget, and counts it', async () => {
    const srv = await scripted([
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '2' } },
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '1' } },
      { status: 429, body: TOO_MANY },
      { status: 200, body: OK },
    ]);
    cleanups.push(srv.close);
    const waits: number[] = [];
    const s = createSender({
      baseUrl: srv.url,
      connections: 1,
      retry: fast,
      sleep: async (ms) => void waits.push(ms),
    });
    cleanups.push(() => s.close());
    const r = await s.send('t', [{ ind: 1 }]);
    expect(r.outcome).toEqual({ kind: 'ok', failed: [] });
    expect(r.attempts).toBe(4); // more than retries + 1: a 429 is not a failure
    expect(r.throttled).toBe(3);
    expect(waits).toEqual([2000, 1000, DEFAULT_THROTTLE.fallbackMs * 4]);
  });

  it('waits out 429s even with no retry budget at all (retries: 0)', async () => {
    const srv = await scripted([
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '1' } },
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '1' } },
      { status: 200, body: OK },
    ]);
    cleanups.push(srv.close);
    const waits: number[] = [];
    const s = createSender({
      baseUrl: srv.url,
      connections: 1,
      retry: { ...fast, retries: 0 },
      sleep: async (ms) => void waits.push(ms),
    });
    cleanups.push(() => s.close());
    const r = await s.send('t', [{ ind: 1 }]);
    expect(r.outcome).toEqual({ kind: 'ok', failed: [] });
    expect(r.throttled).toBe(2);
    expect(waits).toEqual([1000, 1000]);
  });

  it('caps each wait at maxWaitMs and gives up after maxThrottles, reporting the 429', async () => {
    const srv = await scripted([{ status: 429, body: TOO_MANY, headers: { 'retry-after': '3600' } }]);
    cleanups.push(srv.close);
    const waits: number[] = [];
    const s = createSender({
      baseUrl: srv.url,
      connections: 1,
      retry: fast,
      throttle: { maxWaitMs: 250, maxThrottles: 3 },
      sleep: async (ms) => void waits.push(ms),
    });
    cleanups.push(() => s.close());
    const r = await s.send('t', [{ ind: 1 }]);
    expect(r.outcome).toMatchObject({ kind: 'retry', status: 429, errorCode: 429 });
    expect(waits).toEqual([250, 250, 250]);
    expect(r.throttled).toBe(4);
    expect(srv.seen).toHaveLength(4);
  });

  it.each([
    ['a 503 that names Retry-After (the proxy, direct)', { 'retry-after': '1' }],
    // what comes back through MiniStack's gateway while Kafka is paused: the 503 and the body, no header
    ['error_code 50003 alone (API Gateway drops Retry-After)', undefined],
  ])('waits out Kafka unavailable known by %s, outside the retry budget', async (_, headers) => {
    const down = { status: 503, body: '{"error_code":50003,"message":"Kafka is unavailable"}', headers };
    const srv = await scripted([down, down, down, down, { status: 200, body: OK }]);
    cleanups.push(srv.close);
    const waits: number[] = [];
    const s = createSender({
      baseUrl: srv.url,
      connections: 1,
      retry: { ...fast, retries: 0 },
      sleep: async (ms) => void waits.push(ms),
    });
    cleanups.push(() => s.close());
    const r = await s.send('t', [{ ind: 1 }]);
    expect(r.outcome).toEqual({ kind: 'ok', failed: [] });
    expect(r.throttled).toBe(4);
    expect(r.attempts).toBe(5);
    // Retry-After: 1, or without it the proxy's own 1 s (DEFAULT_THROTTLE.unavailableMs)
    expect(DEFAULT_THROTTLE.unavailableMs).toBe(1000);
    expect(waits).toEqual([1000, 1000, 1000, 1000]);
  });

  it('gives up on Kafka unavailable only after maxThrottles waits, reporting the 50003', async () => {
    const srv = await scripted([{ status: 503, body: '{"error_code":50003,"message":"x"}' }]);
    cleanups.push(srv.close);
    const waits: number[] = [];
    const s = createSender({
      baseUrl: srv.url,
      connections: 1,
      retry: fast,
      throttle: { maxThrottles: 3 },
      sleep: async (ms) => void waits.push(ms),
    });
    cleanups.push(() => s.close());
    const r = await s.send('t', [{ ind: 1 }]);
    expect(r.outcome).toMatchObject({ kind: 'retry', status: 503, errorCode: 50003 });
    expect(waits).toEqual([1000, 1000, 1000]);
    expect(srv.seen).toHaveLength(4);
  });

  it('a 5xx that is not Kafka unavailable is an ordinary failure: retried within the budget, then reported', async () => {
    const srv = await scripted([{ status: 503, body: '{"error_code":50002,"message":"x"}' }]);
    cleanups.push(srv.close);
    const s = createSender({ baseUrl: srv.url, connections: 1, retry: { ...fast, retries: 2 } });
    cleanups.push(() => s.close());
    const r = await s.send('t', [{ ind: 1 }]);
    expect(r.outcome).toMatchObject({ kind: 'retry', status: 503, errorCode: 50002 });
    expect(r.throttled).toBe(0);
    expect(r.attempts).toBe(3);
  });

  it('sends X-API-Key when given, on every attempt', async () => {
    const srv = await scripted([
      { status: 429, body: TOO_MANY, headers: { 'retry-after': '0' } },
      { status: 200, body: OK },
    ]);
    cleanups.push(srv.close);
    const s = createSender({
      baseUrl: srv.url,
      connections: 1,
      retry: fast,
      headers: { 'x-api-key': 'k-123' },
    });
    cleanups.push(() => s.close());
    await s.send('t', [{ ind: 1 }]);
    expect(srv.seen.map((h) => h['x-api-key'])).toEqual(['k-123', 'k-123']);
  });
});

describe('proxyAuthHeaders', () => {
  // The profile file alone, without the real environment's overrides.
  const local = loadProfile('local', readEnv({})).profile;
  const keyed = { ...local, proxy: { ...local.proxy, apiKeyEnv: 'PINPIPE_TEST_PROXY_KEY' } };
  it('sends the key the profile names, nothing when it names none', () => {
    expect(proxyAuthHeaders(keyed, { PINPIPE_TEST_PROXY_KEY: 's3cret' })).toEqual({ 'x-api-key': 's3cret' });
    expect(proxyAuthHeaders(local, { PINPIPE_TEST_PROXY_KEY: 's3cret' })).toEqual({});
  });
  it('refuses to start when the named variable is unset, naming the variable and never a value', () => {
    let err: unknown;
    try {
      proxyAuthHeaders(keyed, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/proxy\.apiKeyEnv names PINPIPE_TEST_PROXY_KEY, which is not set/);
  });
});
