import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix } from '../../testkit/sink-crash.ts';
import { createS3 } from '../../src/clients/index.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { runSink, type SinkSummary } from '../../src/sink/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { waitFor } from '../helpers/wait.ts';
import { BINARY_V2, JSON_V2, quietLogger, uniqueTopics } from './proxy-helpers.ts';

/**
 * The proxy's and the sink's /metrics after a known produce: 10 JSON records and one record that is
 * not JSON go through the proxy, a sink with --metrics-port 0 stores them; both scrapes are pinned.
 */
const profile = testProfile();

function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('/metrics of the proxy and the sink (sandbox)', { timeout: 60_000 }, () => {
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;
  let topic: string;
  let proxy: StartedProxy;
  const prefix = uniqueName('metrics-prefix');

  beforeAll(async () => {
    topics = await uniqueTopics(profile, ['metrics']);
    topic = topics.names[0]!;
    proxy = await startProxy({ profile, port: 0, logger: quietLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    await topics?.[Symbol.asyncDispose]();
    const s3 = createS3(profile);
    await deletePrefix(s3, profile.s3.bucket, `${prefix}/`).catch(() => undefined);
    s3.destroy();
  });

  it('pins the exact counters after a produce, then the sink after storing it', async () => {
    const post = async (path: string, type: string, body: string) => {
      const res = await fetch(`${proxy.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      await res.arrayBuffer();
      return { status: res.status, bytes: Buffer.byteLength(body) };
    };
    const bodies = [2, 3, 5].map((n) =>
      JSON.stringify({ records: Array.from({ length: n }, (_, i) => ({ value: { n, i } })) }),
    );
    let bytes = 0;
    for (const b of bodies) {
      const r = await post(`/topics/${topic}`, JSON_V2, b);
      expect(r.status).toBe(200);
      bytes += r.bytes;
    }
    const notJson = JSON.stringify({ records: [{ value: Buffer.from('not json').toString('base64') }] });
    const r = await post(`/topics/${topic}/partitions/0`, BINARY_V2, notJson);
    expect(r.status).toBe(200);
    bytes += r.bytes;
    expect((await post(`/topics/${topic}-missing`, JSON_V2, bodies[0]!)).status).toBe(404);
    expect((await post(`/topics/${topic}`, JSON_V2, '{"records":[]}')).status).toBe(422);

    const p = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(sample(p, `pinpipe_proxy_requests_total{route="/topics/{topic}",status="200"}`)).toBe(3);
    expect(
      sample(p, `pinpipe_proxy_requests_total{route="/topics/{topic}/partitions/{partition}",status="200"}`),
    ).toBe(1);
    expect(sample(p, `pinpipe_proxy_requests_total{route="/topics/{topic}",status="404"}`)).toBe(1);
    expect(sample(p, `pinpipe_proxy_requests_total{route="/topics/{topic}",status="422"}`)).toBe(1);
    expect(sample(p, `pinpipe_proxy_records_total{topic="${topic}"}`)).toBe(11);
    // the 422 body was read too; the 404's was not (the topic is checked first)
    expect(sample(p, `pinpipe_proxy_request_bytes_total{topic="${topic}"}`)).toBe(bytes + 14);
    expect(sample(p, 'pinpipe_proxy_errors_total{error_code="40401"}')).toBe(1);
    expect(sample(p, 'pinpipe_proxy_errors_total{error_code="42206"}')).toBe(1);
    expect(sample(p, 'pinpipe_proxy_kafka_sends_total{outcome="ok"}')).toBe(4);
    expect(sample(p, 'pinpipe_proxy_kafka_sends_total{outcome="failed"}')).toBeUndefined();
    expect(sample(p, 'pinpipe_proxy_kafka_send_records_sum')).toBe(11);
    expect(sample(p, 'pinpipe_proxy_request_duration_seconds_count{route="/topics/{topic}"}')).toBe(5);
    expect(sample(p, 'pinpipe_proxy_in_flight_requests')).toBe(0);
    expect(sample(p, 'pinpipe_proxy_in_flight_bytes')).toBe(0);

    const ctl = new AbortController();
    let url: string | undefined;
    const sink = runSink({
      profile,
      topics: [topic],
      groupId: uniqueName('metrics-group'),
      prefix,
      flushSize: 1,
      metricsPort: 0,
      onMetrics: (u) => (url = u),
      progressIntervalMs: 0,
      logger: quietLogger(),
      signal: ctl.signal,
    });
    let summary: SinkSummary | undefined;
    try {
      const s = await waitFor(async () => (url ? await (await fetch(url)).text() : ''), {
        timeoutMs: 30_000,
        what: 'the sink to store 10 records and reject 1',
        done: (t) =>
          sample(t, 'pinpipe_sink_records_total') === 10 &&
          sample(t, 'pinpipe_sink_error_records_total') === 1,
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(sample(s, 'pinpipe_sink_records_in_total')).toBe(11);
      expect(sample(s, 'pinpipe_sink_objects_total')).toBe(10);
      for (const partition of [0, 1, 2]) {
        expect(sample(s, `pinpipe_sink_lag{topic="${topic}",partition="${partition}"}`)).toBe(0);
      }
      expect(sample(s, 'pinpipe_sink_buffered_records')).toBe(0);
      expect(sample(s, 'pinpipe_sink_flush_duration_seconds_count')).toBeGreaterThanOrEqual(1);
      ctl.abort();
      summary = await sink;
      expect(sample(s, 'pinpipe_sink_bytes_total')).toBe(summary.bytesWritten);
    } finally {
      ctl.abort();
      await sink.catch(() => undefined);
    }
    expect(summary.objectsWritten).toBe(10);
    // the server is gone once the sink stopped
    await expect(fetch(url!)).rejects.toThrow('fetch failed');
  });
});
