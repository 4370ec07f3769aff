import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { curlTool } from '../../testkit/machine.ts';
import { testProfile } from '../helpers/profile.ts';
import { waitFor } from '../helpers/wait.ts';
import { BINARY_V2, consumeBack, JSON_V2, quietLogger, rawRequest, uniqueTopics } from './proxy-helpers.ts';
import { createTopicsReady, topicOffsets } from '../../src/clients/kafka-topics.ts';

/**
 * The REST proxy against the shared broker, on unique topics: Confluent's documented v2 curl examples,
 * produce → consume back, batching of concurrent requests, GET endpoints, API key and drain.
 */
const run = promisify(execFile);
// Missing curl skips the examples on a developer machine and fails the file in CI.
const curlBin = curlTool().path;

/** Runs curl (the documented examples, literally) and returns status, content type and body. */
async function curl(args: string[]): Promise<{ status: number; contentType: string; body: string }> {
  const { stdout } = await run(curlBin!, ['-s', '-w', '\n%{http_code}\n%{content_type}', ...args]);
  const lines = stdout.split('\n');
  const contentType = lines.pop()!;
  const status = Number(lines.pop());
  return { status, contentType, body: lines.join('\n') };
}

describe('REST proxy v2 (shared broker, unique topics)', { timeout: 120_000 }, () => {
  const profile = testProfile();
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;
  let proxy: StartedProxy;
  let jsontest: string, binarytest: string, batched: string;
  /** Topics only one test writes to, so the offsets it sees do not depend on the order of the tests. */
  let jsonFirst: string, binaryFirst: string, concurrent: string;
  let smallTopic: string;

  beforeAll(async () => {
    topics = await uniqueTopics(profile, [
      'jsontest',
      'binarytest',
      'batched',
      'json-first',
      'binary-first',
      'concurrent',
    ]);
    [jsontest, binarytest, batched, jsonFirst, binaryFirst, concurrent] = topics.names as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    // one partition, max.message.bytes 2 KiB: for the record-too-large case
    smallTopic = `${batched}-small`;
    const admin = createKafkaAdmin(profile);
    await createTopicsReady(admin, {
      topics: [
        {
          topic: smallTopic,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '2048' }],
        },
      ],
    });
    await admin.close();
    proxy = await startProxy({ profile, port: 0, logger: quietLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    await topics?.[Symbol.asyncDispose]();
    const admin = createKafkaAdmin(profile);
    await admin.deleteTopics({ topics: [smallTopic] }).catch(() => undefined);
    await admin.close();
  });

  describe.skipIf(!curlBin)("Confluent's documented curl examples", () => {
    it('produce JSON: {"records":[{"value":{"foo":"bar"}}]}', async () => {
      const r = await curl([
        '-X',
        'POST',
        '-H',
        'Content-Type: application/vnd.kafka.json.v2+json',
        '--data',
        '{"records":[{"value":{"foo":"bar"}}]}',
        `${proxy.url}/topics/${jsonFirst}`,
      ]);
      expect(r.status).toBe(200);
      expect(r.contentType).toBe('application/vnd.kafka.v2+json');
      const body = JSON.parse(r.body);
      expect(body).toEqual({
        offsets: [{ partition: expect.any(Number), offset: 0, error_code: null, error: null }],
        key_schema_id: null,
        value_schema_id: null,
      });
    });

    it('produce JSON with a key and an explicit partition', async () => {
      const r = await curl([
        '-X',
        'POST',
        '-H',
        'Content-Type: application/vnd.kafka.json.v2+json',
        '--data',
        '{"records":[{"key":"somekey","value":{"foo":"bar"}},{"value":["foo","bar"],"partition":1},{"value":53.5}]}',
        `${proxy.url}/topics/${jsontest}`,
      ]);
      expect(r.status).toBe(200);
      const offsets = JSON.parse(r.body).offsets;
      expect(offsets).toHaveLength(3);
      expect(offsets[1].partition).toBe(1);
    });

    it('produce binary: value "S2Fma2E=" ("Kafka")', async () => {
      const r = await curl([
        '-X',
        'POST',
        '-H',
        'Content-Type: application/vnd.kafka.binary.v2+json',
        '-H',
        'Accept: application/vnd.kafka.v2+json',
        '--data',
        '{"records":[{"value":"S2Fma2E="}]}',
        `${proxy.url}/topics/${binaryFirst}`,
      ]);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).offsets).toEqual([
        { partition: expect.any(Number), offset: 0, error_code: null, error: null },
      ]);
      const back = await consumeBack(profile, binaryFirst, 1);
      expect(back.map((m) => m.value)).toEqual(['Kafka']);
    });

    it('list topics: curl /topics', async () => {
      const r = await curl([`${proxy.url}/topics`]);
      expect(r.status).toBe(200);
      const names = JSON.parse(r.body) as string[];
      expect(names).toEqual(expect.arrayContaining([jsontest, binarytest]));
      expect(names.some((n) => n.startsWith('__'))).toBe(false);
    });

    it('topic metadata: curl /topics/<topic>', async () => {
      const r = await curl([`${proxy.url}/topics/${jsontest}`]);
      expect(r.status).toBe(200);
      const t = JSON.parse(r.body);
      expect(t.name).toBe(jsontest);
      expect(t.configs['cleanup.policy']).toBe('delete');
      expect(t.partitions).toHaveLength(3);
      expect(t.partitions[0]).toEqual({
        partition: 0,
        leader: 1,
        replicas: [{ broker: 1, leader: true, in_sync: true }],
      });
    });

    it('unknown topic → 404 with error_code 40401', async () => {
      const r = await curl([
        '-X',
        'POST',
        '-H',
        'Content-Type: application/vnd.kafka.json.v2+json',
        '--data',
        '{"records":[{"value":{"foo":"bar"}}]}',
        `${proxy.url}/topics/pinpipe-no-such-topic-${Date.now()}`,
      ]);
      expect(r.status).toBe(404);
      expect(r.contentType).toBe('application/vnd.kafka.v2+json');
      expect(JSON.parse(r.body)).toEqual({
        error_code: 40401,
        message: expect.stringMatching(/^Topic not found\./),
      });
      const g = await curl([`${proxy.url}/topics/pinpipe-no-such-topic-${Date.now()}`]);
      expect(g.status).toBe(404);
      expect(JSON.parse(g.body).error_code).toBe(40401);
    });

    it('wrong content type → 415 with error_code 415', async () => {
      const r = await curl([
        '-X',
        'POST',
        '-H',
        'Content-Type: text/plain',
        '--data',
        '{"records":[{"value":{"foo":"bar"}}]}',
        `${proxy.url}/topics/${jsontest}`,
      ]);
      expect(r.status).toBe(415);
      expect(JSON.parse(r.body)).toEqual({
        error_code: 415,
        message: expect.stringContaining('Unsupported Media Type'),
      });
    });
  });

  it('delivers what it acknowledged: produce JSON then consume the same values at the same offsets', async () => {
    const values = Array.from({ length: 50 }, (_, i) => ({
      ind: i,
      title: `post ${i}`,
      ts: '2020-08-28 03:52:47',
    }));
    const acked: Array<{ partition: number; offset: number }> = [];
    for (let i = 0; i < values.length; i += 10) {
      const res = await fetch(`${proxy.url}/topics/${batched}`, {
        method: 'POST',
        headers: { 'content-type': JSON_V2 },
        body: JSON.stringify({ records: values.slice(i, i + 10).map((value) => ({ value })) }),
      });
      expect(res.status).toBe(200);
      acked.push(
        ...((await res.json()) as { offsets: Array<{ partition: number; offset: number }> }).offsets,
      );
    }
    const back = await consumeBack(profile, batched, values.length);
    expect(back).toHaveLength(values.length);
    const byPos = new Map(back.map((m) => [`${m.partition}/${m.offset}`, JSON.parse(m.value)]));
    acked.forEach((a, i) => expect(byPos.get(`${a.partition}/${a.offset}`)).toEqual(values[i]));
  });

  it('gathers concurrent requests into far fewer Kafka sends than requests', async () => {
    const before = proxy.stats();
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        fetch(`${proxy.url}/topics/${concurrent}`, {
          method: 'POST',
          headers: { 'content-type': BINARY_V2 },
          body: JSON.stringify({
            records: [
              {
                key: Buffer.from(`k${i}`).toString('base64'),
                value: Buffer.from(`v${i}`).toString('base64'),
              },
            ],
          }),
        }).then((r) => r.status),
      ),
    );
    expect(results).toEqual(Array(n).fill(200));
    const after = proxy.stats();
    expect(after.records - before.records).toBe(n);
    expect(after.sends - before.sends).toBeLessThan(n / 2);
    const back = await consumeBack(profile, concurrent, n);
    expect(back.map((m) => m.value).sort()).toEqual(Array.from({ length: n }, (_, i) => `v${i}`).sort());
  });

  it('produces to an explicit partition with POST /topics/<t>/partitions/<p>, and 40402 for a missing one', async () => {
    const ok = await rawRequest(`${proxy.url}/topics/${jsontest}/partitions/2`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: '{"records":[{"value":1},{"value":2}]}',
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).offsets.map((o: { partition: number }) => o.partition)).toEqual([2, 2]);
    const missing = await rawRequest(`${proxy.url}/topics/${jsontest}/partitions/9`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: '{"records":[{"value":1}]}',
    });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error_code).toBe(40402);
  });

  it("a record over the broker's size limit is a non-retriable Kafka error: 500 with error_code 50002, nothing written", async () => {
    // the topic's max.message.bytes is 2 KiB; the proxy's own body limit (1 MiB) lets the record through
    const r = await rawRequest(`${proxy.url}/topics/${smallTopic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: { big: 'x'.repeat(8192) } }] }),
    });
    expect({ status: r.status, error_code: JSON.parse(r.body).error_code }, r.body).toEqual({
      status: 500,
      error_code: 50002,
    });
    const admin = createKafkaAdmin(profile);
    try {
      expect((await topicOffsets(admin, smallTopic)).map((o) => [o.low, o.high])).toEqual([['0', '0']]);
    } finally {
      await admin.close();
    }
    // a record under the limit still goes through on the same topic
    const ok = await rawRequest(`${proxy.url}/topics/${smallTopic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: { small: 1 } }] }),
    });
    expect(ok.status, ok.body).toBe(200);
    expect((await consumeBack(profile, smallTopic, 1)).map((m) => m.value)).toEqual(['{"small":1}']);
  });

  it('answers GET /, GET /health, and JSON 404/405 for other routes', async () => {
    expect((await rawRequest(`${proxy.url}/`, {})).status).toBe(200);
    const h = await rawRequest(`${proxy.url}/health`, {});
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body).status).toBe('UP');
    const nf = await rawRequest(`${proxy.url}/consumers/x`, { method: 'POST' });
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body).error_code).toBe(404);
    const na = await rawRequest(`${proxy.url}/topics/${jsontest}`, { method: 'DELETE' });
    expect(na.status).toBe(405);
    expect(JSON.parse(na.body).error_code).toBe(405);
  });

  it('requires the API key when one is configured (constant-time check, 401 JSON)', async () => {
    await using keyed = await startProxy({ profile, port: 0, logger: quietLogger(), apiKey: 'test-key-123' });
    const post = (headers: Record<string, string>) =>
      rawRequest(`${keyed.url}/topics/${jsontest}`, {
        method: 'POST',
        headers: { 'content-type': JSON_V2, ...headers },
        body: '{"records":[{"value":{"k":1}}]}',
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error_code).toBe(401);
    expect((await post({ 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await post({ 'x-api-key': 'test-key-123' })).status).toBe(200);
    expect((await rawRequest(`${keyed.url}/topics`, {})).status).toBe(401);
    expect((await rawRequest(`${keyed.url}/health`, {})).status).toBe(200);
  });

  it('drains on close: requests in flight are answered 200, then the port is closed', async () => {
    const slow = testProfile((p) => ({ ...p, proxy: { ...p.proxy, lingerMs: 400 } }));
    const p = await startProxy({ profile: slow, port: 0, logger: quietLogger() });
    const inflight = Array.from({ length: 20 }, (_, i) =>
      rawRequest(`${p.url}/topics/${jsontest}`, {
        method: 'POST',
        headers: { 'content-type': JSON_V2 },
        body: JSON.stringify({ records: [{ value: { drain: i } }] }),
      }),
    );
    await waitFor(() => p.stats().requests, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: 'the proxy to receive the 20 requests',
      done: (n) => n >= 20,
    });
    await p.close();
    const answers = await Promise.all(inflight);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.every((a) => a.headers.connection === 'close')).toBe(true);
    await expect(
      rawRequest(`${p.url}/topics`, { agent: new http.Agent({ keepAlive: false }) }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
