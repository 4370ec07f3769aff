import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Profile } from '../../src/config/index.ts';
import type { Logger } from '../../src/log.ts';
import { startProxy, type StartedProxy, KafkaBackend } from '../../src/proxy/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { idleConnections, JSON_V2, rawExchange, rawRequest, uniqueTopics } from './proxy-helpers.ts';

/**
 * The proxy's edges against the real proxy and broker: a body nested too deep (422, one warning per
 * burst), the Host header of a proxy bound to loopback (DNS rebinding), and /health (one Kafka check
 * per second, under the connection cap).
 */
const noKeepAlive = () => new http.Agent({ keepAlive: false });

/** A logger that keeps its warning lines. */
function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => warnings.push((JSON.parse(line) as { msg: string }).msg) },
  );
  return { logger, warnings };
}

describe('REST proxy edges (shared broker)', { timeout: 60_000 }, () => {
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;
  let topic: string;
  const opened: StartedProxy[] = [];
  const start = async (patch: Partial<Profile['proxy']> = {}, logger = recordingLogger().logger) => {
    const profile = testProfile((p) => ({ ...p, proxy: { ...p.proxy, ...patch } }));
    const proxy = await startProxy({ profile, host: '127.0.0.1', port: 0, logger });
    opened.push(proxy);
    return proxy;
  };
  const get = (proxy: StartedProxy, path: string, host?: string) =>
    rawRequest(`${proxy.url}${path}`, { agent: noKeepAlive(), headers: host ? { host } : {} });

  beforeAll(async () => {
    topics = await uniqueTopics(testProfile(), ['edges']);
    topic = topics.names[0]!;
  });
  afterAll(async () => {
    for (const p of opened) await p.close();
    await topics?.[Symbol.asyncDispose]();
    vi.restoreAllMocks();
  });

  it('a body nested 5,000 levels deep → 422 / 42203, one warning for a burst of 30, and the proxy keeps serving', async () => {
    const { logger, warnings } = recordingLogger();
    const proxy = await start({}, logger);
    const deep = `{"records":[{"value":${'['.repeat(5000)}${']'.repeat(5000)}}]}`;
    expect(deep.length).toBeLessThan(11_000);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        rawRequest(`${proxy.url}/topics/${topic}`, {
          method: 'POST',
          headers: { 'content-type': JSON_V2 },
          body: deep,
          agent: noKeepAlive(),
        }),
      ),
    );
    for (const a of answers) {
      expect(a.status, a.body).toBe(422);
      expect(JSON.parse(a.body)).toEqual({
        error_code: 42203,
        message:
          'Conversion of JSON to Object failed: the body nests objects and arrays deeper than 64 levels; send flat records.',
      });
    }
    expect(warnings.filter((w) => w.includes('nested deeper than 64 levels'))).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    // a record whose value nests a few levels is still accepted
    const ok = await rawRequest(`${proxy.url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: { a: { b: [1, [2, { c: 3 }]] } } }] }),
      agent: noKeepAlive(),
    });
    expect(ok.status, ok.body).toBe(200);
  });

  it('bound to loopback, it answers to 127.0.0.1, localhost and [::1] with its port only: another Host → 403', async () => {
    const proxy = await start();
    const { port } = new URL(proxy.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const r = await get(proxy, '/topics', host);
      expect(r.status, `${host}: ${r.body}`).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      'localhost',
      `rebind.127.0.0.1.nip.io:${port}`,
    ]) {
      const r = await get(proxy, '/topics', host);
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body)).toEqual({
        error_code: 403,
        message: `Host "${host}" is not this proxy: a proxy bound to a loopback address answers only to 127.0.0.1, localhost or [::1] with its port.`,
      });
    }
    // a produce from a rebinding page is refused before anything reaches Kafka
    const produce = await rawRequest(`${proxy.url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2, host: `evil.example:${port}` },
      body: JSON.stringify({ records: [{ value: { x: 1 } }] }),
      agent: noKeepAlive(),
    });
    expect(produce.status).toBe(403);
    // HTTP/1.0 without any Host
    const none = await rawExchange(proxy.url, 'GET /health HTTP/1.0\r\n\r\n');
    expect(none.text).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('/health asks Kafka at most once a second, and counts under the connection cap', async () => {
    const proxy = await start();
    const checks = vi.spyOn(KafkaBackend.prototype, 'health');
    const burst = await Promise.all(Array.from({ length: 20 }, () => get(proxy, '/health')));
    expect(burst.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(checks.mock.calls.length).toBeLessThanOrEqual(2);
    checks.mockClear();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get(proxy, '/health')).status).toBe(200);
    expect(checks).toHaveBeenCalledTimes(1);

    const capped = await start({ maxConnections: 2 });
    const idle = await idleConnections(capped.url, 2);
    try {
      const deadline = Date.now() + 5000;
      while (capped.stats().connections < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      const over = await get(capped, '/health');
      expect(over.status).toBe(429);
      expect(JSON.parse(over.body).message).toContain('as many connections as it may');
    } finally {
      for (const s of idle) s.destroy();
    }
  });
});
