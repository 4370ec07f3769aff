import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import { topicNames, type Profile } from '../../src/config/index.ts';
import { runEmulator } from '../../src/emulator/index.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { emulatorSource } from './emulator-fixture.ts';
import {
  idleConnections,
  JSON_V2,
  quietLogger,
  rawExchange,
  rawRequest,
  uniqueTopics,
} from './proxy-helpers.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';

/**
 * The proxy's caps (shared broker, unique topic, caps made tiny through the profile): requests, bytes
 * and connections over a cap get 429 + Retry-After in Confluent's shape, decided before the body is
 * read; header and request timeouts close slow clients and give their share back.
 */
type Proxy = Profile['proxy'];
const noKeepAlive = () => new http.Agent({ keepAlive: false });

/** Polls `cond` every 10 ms until it holds, or fails after `ms` with what `seen` describes. */
async function until(cond: () => boolean, seen: () => unknown, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${ms} ms: ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('REST proxy caps and timeouts (shared broker)', { timeout: 60_000 }, () => {
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;
  let topic: string;
  const opened: StartedProxy[] = [];
  const start = async (patch: Partial<Proxy>) => {
    const profile = testProfile((p) => ({ ...p, proxy: { ...p.proxy, ...patch } }));
    const proxy = await startProxy({ profile, port: 0, logger: quietLogger() });
    opened.push(proxy);
    return proxy;
  };
  const post = (proxy: StartedProxy, body: string, extra: { chunked?: boolean } = {}) =>
    rawRequest(`${proxy.url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body,
      agent: noKeepAlive(),
      ...extra,
    });
  const records = (bytes: number) => JSON.stringify({ records: [{ value: { pad: 'x'.repeat(bytes) } }] });

  beforeAll(async () => {
    topics = await uniqueTopics(testProfile(), ['limits']);
    topic = topics.names[0]!;
  });
  afterAll(async () => {
    for (const p of opened) await p.close();
    await topics?.[Symbol.asyncDispose]();
  });

  it('answers 429 + Retry-After in Confluent shape once maxRequestsInFlight requests are held, then serves again', async () => {
    const proxy = await start({ maxRequestsInFlight: 2, lingerMs: 800, retryAfterSeconds: 3 });
    const held = [post(proxy, records(10)), post(proxy, records(10))];
    await until(
      () => proxy.stats().inFlight.requests === 2,
      () => proxy.stats(),
    );
    const over = await post(proxy, records(10));
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('3');
    expect(over.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(over.body)).toEqual({
      error_code: 429,
      message: 'Request rate limit exceeded: the proxy holds as many requests as it may; retry after 3 s.',
    });
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    expect(proxy.stats().inFlight).toEqual({ requests: 0, bytes: 0 });
    expect((await post(proxy, records(10))).status).toBe(200);
    expect(proxy.stats().tooMany).toBe(1);
  });

  it('refuses on the declared Content-Length before reading the body, and cuts a chunked body off at the cap', async () => {
    const proxy = await start({ maxBytesInFlight: 2048, lingerMs: 800 });
    const held = post(proxy, records(1500));
    await until(
      () => proxy.stats().inFlight.bytes > 1500,
      () => proxy.stats(),
    );
    // Headers only: the body is never sent, yet the answer comes, so it was decided without it.
    const declared = await rawExchange(
      proxy.url,
      `POST /topics/${topic} HTTP/1.1\r\nHost: ${new URL(proxy.url).host}\r\nContent-Type: ${JSON_V2}\r\nContent-Length: 1000\r\n\r\n`,
    );
    expect(declared.text).toMatch(/^HTTP\/1\.1 429 /);
    expect(declared.text).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(declared.text).toContain('"error_code":429');
    expect(declared.text).toContain('as many bytes as it may');
    const chunked = await post(proxy, records(3000), { chunked: true });
    expect(chunked.status).toBe(429);
    expect(chunked.headers.connection).toBe('close');
    expect(JSON.parse(chunked.body).error_code).toBe(429);
    expect((await held).status).toBe(200);
    expect(proxy.stats().inFlight).toEqual({ requests: 0, bytes: 0 });
  });

  it('answers 429 on a connection over maxConnections and serves again once connections close', async () => {
    const proxy = await start({ maxConnections: 2 });
    const idle = await idleConnections(proxy.url, 2);
    await until(
      () => proxy.stats().connections === 2,
      () => proxy.stats(),
    );
    const over = await post(proxy, records(10));
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body).message).toContain('as many connections as it may');
    for (const s of idle) s.destroy();
    await until(
      () => proxy.stats().connections === 0,
      () => proxy.stats(),
    );
    expect((await post(proxy, records(10))).status).toBe(200);
  });

  it('closes a client that is too slow with its headers (408) or its body, and gives its share back', async () => {
    const proxy = await start({ headersTimeoutMs: 400, requestTimeoutMs: 800 });
    const headers = await rawExchange(
      proxy.url,
      `POST /topics/${topic} HTTP/1.1\r\nHost: ${new URL(proxy.url).host}\r\n`,
    );
    expect(headers.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(headers.tookMs).toBeLessThan(4000);
    const body = await rawExchange(
      proxy.url,
      `POST /topics/${topic} HTTP/1.1\r\nHost: ${new URL(proxy.url).host}\r\nContent-Type: ${JSON_V2}\r\nContent-Length: 100\r\n\r\n{"rec`,
    );
    expect(body.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.tookMs).toBeLessThan(4000);
    await until(
      () => proxy.stats().inFlight.requests === 0,
      () => proxy.stats(),
    );
    expect(proxy.stats().inFlight).toEqual({ requests: 0, bytes: 0 });
  });

  it('the emulator waits out the 429s of a proxy at its request cap and delivers every record', async () => {
    const profile = testProfile((p) => ({
      ...p,
      pipelineId: uniqueName('throttle'),
      proxy: { ...p.proxy, maxRequestsInFlight: 1, lingerMs: 50, retryAfterSeconds: 1 },
    }));
    const names = Object.values(topicNames(profile));
    const admin = createKafkaAdmin(profile);
    try {
      await createTopicsReady(admin, {
        topics: names.map((t) => ({ topic: t, numPartitions: 1 })),
      });
      await using source = await emulatorSource(profile, 200);
      await using proxy = await startProxy({ profile, port: 0, logger: quietLogger() });
      const s = await runEmulator({
        profile: source.profile,
        url: proxy.url,
        count: 12,
        batch: 3,
        concurrency: 4,
        seed: 3,
        retry: { retries: 0 },
      });
      // No retry budget at all: every 429 was waited out and retried on its own allowance.
      expect(s.records.failed).toBe(0);
      expect(s.records.acknowledged).toBe(s.records.sent);
      expect(s.requests.throttled).toBeGreaterThan(0);
      expect(s.requests.throttled).toBe(proxy.stats().tooMany);
    } finally {
      await admin.deleteTopics({ topics: names }).catch(() => undefined);
      await admin.close();
    }
  });

  it('answers /health without internals: {"status":"UP"} and a request id header', async () => {
    const proxy = await start({});
    const h = await rawRequest(`${proxy.url}/health`, { agent: noKeepAlive() });
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body)).toEqual({ status: 'UP' });
    expect(h.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
