import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSender, type Sender } from '../../../src/emulator/sender.ts';

type Handler = (req: http.IncomingMessage, body: string) => { status: number; body: string };

/** A local HTTP server that answers with `handler`, counting hits (no Kafka needed). */
async function fakeProxy(
  handler: Handler,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits++;
      const r = handler(req, body);
      res.writeHead(r.status, { 'content-type': 'application/vnd.kafka.v2+json' }).end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const offsets = (n: number) =>
  JSON.stringify({
    offsets: Array.from({ length: n }, (_, i) => ({
      partition: 0,
      offset: i,
      error_code: null,
      error: null,
    })),
    key_schema_id: null,
    value_schema_id: null,
  });

const fast = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 };

describe('sender: retries and keep-alive', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const track = (s: Sender) => (cleanups.push(() => s.close()), s);

  it('posts the v2 JSON body to <base>/topics/<topic> and reads the offsets', async () => {
    let seen: { url?: string; type?: string; body?: string } = {};
    const srv = await fakeProxy((req, body) => {
      seen = { url: req.url, type: req.headers['content-type'], body };
      return { status: 200, body: offsets(2) };
    });
    cleanups.push(srv.close);
    const s = track(
      createSender({ baseUrl: `${srv.url}/restapis/x/test/_user_request_/`, connections: 2, retry: fast }),
    );
    const r = await s.send('abc.pin', [{ index: 1 }, { index: 2 }]);
    expect(r.outcome).toEqual({ kind: 'ok', failed: [] });
    expect(seen).toEqual({
      url: '/restapis/x/test/_user_request_/topics/abc.pin',
      type: 'application/vnd.kafka.json.v2+json',
      body: '{"records":[{"value":{"index":1}},{"value":{"index":2}}]}',
    });
  });

  it('retries 5xx with backoff until it succeeds', async () => {
    const srv = await fakeProxy(() =>
      srv.hits() < 3
        ? { status: 503, body: '{"error_code":50002,"message":"Kafka error"}' }
        : { status: 200, body: offsets(1) },
    );
    cleanups.push(srv.close);
    const r = await track(createSender({ baseUrl: srv.url, connections: 1, retry: fast })).send('t', [
      { ind: 1 },
    ]);
    expect(r.outcome.kind).toBe('ok');
    expect(r.attempts).toBe(3);
  });

  it('gives up after the retry budget and reports the last 5xx', async () => {
    const srv = await fakeProxy(() => ({
      status: 500,
      body: '{"error_code":50002,"message":"Kafka error"}',
    }));
    cleanups.push(srv.close);
    const r = await track(createSender({ baseUrl: srv.url, connections: 1, retry: fast })).send('t', [
      { ind: 1 },
    ]);
    expect(r.outcome).toMatchObject({ kind: 'retry', status: 500, errorCode: 50002 });
    expect(srv.hits()).toBe(4);
  });

  it('never retries a 4xx', async () => {
    const srv = await fakeProxy(() => ({
      status: 404,
      body: '{"error_code":40401,"message":"Topic not found."}',
    }));
    cleanups.push(srv.close);
    const r = await track(createSender({ baseUrl: srv.url, connections: 1, retry: fast })).send('nope', [
      { ind: 1 },
    ]);
    expect(r.outcome).toMatchObject({ kind: 'reject', status: 404, errorCode: 40401 });
    expect(srv.hits()).toBe(1);
  });

  it('retries network errors, then reports them', async () => {
    const srv = await fakeProxy(() => ({ status: 200, body: offsets(1) }));
    await srv.close();
    const r = await track(createSender({ baseUrl: srv.url, connections: 1, retry: fast })).send('t', [
      { ind: 1 },
    ]);
    expect(r.outcome.kind).toBe('error');
    expect(r.attempts).toBe(4);
    expect(r.outcome.kind === 'error' && r.outcome.message).toMatch(/ECONNREFUSED/);
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    const sockets = new Set<unknown>();
    const srv = await fakeProxy((req) => {
      sockets.add(req.socket);
      return { status: 200, body: offsets(1) };
    });
    cleanups.push(srv.close);
    const s = track(createSender({ baseUrl: srv.url, connections: 1, retry: fast }));
    for (let i = 0; i < 5; i++) await s.send('t', [{ ind: i }]);
    expect(sockets.size).toBe(1);
  });
});

describe('sender: interrupts', () => {
  it('keeps an answer that arrives after the abort, and stops retrying once aborted', async () => {
    const controller = new AbortController();
    const slow = http.createServer((_req, res) => {
      controller.abort();
      setTimeout(() => res.writeHead(200).end(offsets(1)), 50);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const s = createSender({ baseUrl: url, connections: 1, retry: fast });
    try {
      const r = await s.send('t', [{ ind: 1 }], controller.signal);
      expect(r.outcome).toEqual({ kind: 'ok', failed: [] });
    } finally {
      await s.close();
      await new Promise((resolve) => slow.close(resolve));
    }
    const down = createSender({ baseUrl: url, connections: 1, retry: fast });
    const r = await down.send('t', [{ ind: 1 }], controller.signal);
    await down.close();
    expect(r.outcome.kind).toBe('error');
    expect(r.attempts).toBe(1);
  });
});
