import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { testRandom } from '../helpers/seed.ts';
import {
  BINARY_V2,
  consumeBack,
  JSON_V2,
  quietLogger,
  rawRequest,
  uniqueTopics,
  type RawResponse,
} from './proxy-helpers.ts';

/**
 * Bad input: each answer is a 4xx in Confluent's JSON error shape, nothing reaches
 * Kafka, and the proxy keeps serving. Loopback only; the random-bytes run is bounded (10,000 bodies).
 */
const LIMIT = 64 * 1024;

function expectError(r: RawResponse, status: number, errorCode?: number): void {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toBe('application/vnd.kafka.v2+json');
  const body = JSON.parse(r.body) as { error_code: number; message: string };
  expect(body).toEqual({ error_code: errorCode ?? status, message: expect.any(String) });
}

describe('REST proxy: bad input', { timeout: 120_000 }, () => {
  const profile = testProfile((p) => ({ ...p, proxy: { ...p.proxy, maxBodyBytes: LIMIT } }));
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;
  let topic: string;
  /** Only the random-bytes test writes here, so what it finds in Kafka is its own doing. */
  let randomTopic: string;
  let proxy: StartedProxy;
  const post = (body: string | Buffer, contentType = JSON_V2, path?: string, chunked = false) =>
    rawRequest(`${proxy.url}${path ?? `/topics/${topic}`}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      chunked,
    });

  beforeAll(async () => {
    topics = await uniqueTopics(profile, ['badinput', 'badrandom']);
    [topic, randomTopic] = topics.names as [string, string];
    proxy = await startProxy({ profile, port: 0, logger: quietLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    await topics?.[Symbol.asyncDispose]();
  });

  it('malformed JSON → 400', async () => {
    expectError(await post('{"records":[{"value":'), 400);
    expectError(await post('not json at all'), 400);
  });

  it('missing or empty records → 422 / 42206', async () => {
    expectError(await post('{}'), 422, 42206);
    expectError(await post('{"record":[{"value":1}]}'), 422, 42206);
    expectError(await post('{"records":[]}'), 422, 42206);
    expectError(await post('{"records":"x"}'), 422, 42206);
  });

  it('a record without value → 422 / 42206, and the other records of the request are not sent', async () => {
    expectError(await post('{"records":[{"value":{"ok":1}},{"key":"k"}]}'), 422, 42206);
  });

  it('bad base64 in the binary format → 422 / 42203', async () => {
    expectError(await post('{"records":[{"value":"***"}]}', BINARY_V2), 422, 42203);
  });

  it('an invalid topic name → 404 / 40401', async () => {
    for (const name of ['bad%20name', 'a%2Fb', 'x'.repeat(250), '%C3%BC', 'semi%3Bcolon']) {
      expectError(await post('{"records":[{"value":1}]}', JSON_V2, `/topics/${name}`), 404, 40401);
    }
  });

  it('an unknown topic → 404 / 40401, and it is not auto-created', async () => {
    const unknown = `${topic}-unknown`;
    expectError(await post('{"records":[{"value":1}]}', JSON_V2, `/topics/${unknown}`), 404, 40401);
    const list = JSON.parse((await rawRequest(`${proxy.url}/topics`, {})).body) as string[];
    expect(list).toContain(topic);
    expect(list).not.toContain(unknown);
  });

  it('a wrong content type → 415, before the body is read', async () => {
    expectError(await post('{"records":[{"value":1}]}', 'application/x-www-form-urlencoded'), 415);
    expectError(await post('{"records":[{"value":1}]}', 'application/vnd.kafka.avro.v2+json'), 415);
  });

  it('a body over proxy.maxBodyBytes → 413, with Content-Length or chunked', async () => {
    const big = JSON.stringify({ records: [{ value: 'x'.repeat(LIMIT) }] });
    expectError(await post(big), 413);
    expectError(await post(big, JSON_V2, undefined, true), 413);
    // just under the limit is accepted
    const fits = JSON.stringify({ records: [{ value: 'y'.repeat(LIMIT - 100) }] });
    expect((await post(fits)).status).toBe(200);
  });

  it('10,000 random byte strings → 4xx JSON errors, and the proxy keeps serving', async () => {
    // The bodies come from a seed (printed on failure; PINPIPE_TEST_SEED replays the same 10,000).
    const { rng } = testRandom('random proxy bodies');
    const int = (n: number) => Math.floor(rng() * n);
    const requests = Array.from({ length: 10_000 }, () => ({
      body: Buffer.from(Array.from({ length: int(2049) }, () => int(256))),
      contentType: int(4) === 0 ? BINARY_V2 : JSON_V2,
    }));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses = new Map<number, number>();
    let bad = 0;
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const { body, contentType } = requests[next++]!;
        const r = await rawRequest(`${proxy.url}/topics/${randomTopic}`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
          agent,
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        let parsed: { error_code?: unknown } | undefined;
        try {
          parsed = JSON.parse(r.body) as { error_code?: unknown };
        } catch {
          parsed = undefined;
        }
        if (r.status < 400 || r.status >= 500 || typeof parsed?.error_code !== 'number') bad++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    expect(bad, JSON.stringify([...statuses])).toBe(0);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    // still serving: a valid request succeeds, and it is the only record that ever reached Kafka
    const ok = await post(
      JSON.stringify({ records: [{ value: { still: 'serving' } }] }),
      JSON_V2,
      `/topics/${randomTopic}`,
    );
    expect(ok.status).toBe(200);
    const health = await rawRequest(`${proxy.url}/health`, {});
    expect(health.status).toBe(200);
    const back = await consumeBack(profile, randomTopic, 1);
    expect(back.map((m) => JSON.parse(m.value))).toEqual([{ still: 'serving' }]);
  });
});
