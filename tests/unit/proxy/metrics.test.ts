import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { KafkaBackend } from '../../../src/proxy/kafka-backend.ts';
import { ProxyMetrics } from '../../../src/proxy/metrics.ts';
import { startProxy } from '../../../src/proxy/index.ts';
import { testProfile } from '../../helpers/profile.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('ProxyMetrics', () => {
  it('counts answers by route and status, errors by error_code, and latency per route', async () => {
    const m = new ProxyMetrics({ inFlight: () => ({ requests: 2, bytes: 300 }), connections: () => 5 });
    m.answered('/topics/{topic}', 200, 0.004);
    m.answered('/topics/{topic}', 200, 0.02);
    m.answered('/topics/{topic}', 404, 0.001, 40401);
    const t = await m.text();
    expect(sample(t, 'pinpipe_proxy_requests_total{route="/topics/{topic}",status="200"}')).toBe(2);
    expect(sample(t, 'pinpipe_proxy_requests_total{route="/topics/{topic}",status="404"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_errors_total{error_code="40401"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_request_duration_seconds_count{route="/topics/{topic}"}')).toBe(3);
    expect(
      sample(t, 'pinpipe_proxy_request_duration_seconds_bucket{le="0.005",route="/topics/{topic}"}'),
    ).toBe(2);
    expect(sample(t, 'pinpipe_proxy_in_flight_requests')).toBe(2);
    expect(sample(t, 'pinpipe_proxy_in_flight_bytes')).toBe(300);
    expect(sample(t, 'pinpipe_proxy_connections')).toBe(5);
  });

  it('counts Kafka sends with their records and outcome', async () => {
    const m = new ProxyMetrics({ inFlight: () => ({ requests: 0, bytes: 0 }), connections: () => 0 });
    const ok = m.countSends(async () => 'sent');
    const v = Buffer.from('{}');
    await expect(
      ok([
        {
          topic: 'a',
          messages: [
            { key: null, value: v, partition: 0 },
            { key: null, value: v, partition: 0 },
          ],
        },
        { topic: 'b', messages: [{ key: null, value: v, partition: 0 }] },
      ]),
    ).resolves.toBe('sent');
    const failing = m.countSends(async () => {
      throw new Error('broker gone');
    });
    await expect(
      failing([{ topic: 'a', messages: [{ key: null, value: v, partition: 0 }] }]),
    ).rejects.toThrow('broker gone');
    const t = await m.text();
    expect(sample(t, 'pinpipe_proxy_kafka_sends_total{outcome="ok"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_kafka_sends_total{outcome="failed"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_kafka_send_records_sum')).toBe(4);
    expect(sample(t, 'pinpipe_proxy_kafka_send_records_count')).toBe(2);
    expect(sample(t, 'pinpipe_proxy_kafka_send_records_bucket{le="1"}')).toBe(1);
  });

  it('keeps two registries apart', async () => {
    const a = new ProxyMetrics({ inFlight: () => ({ requests: 0, bytes: 0 }), connections: () => 0 });
    const b = new ProxyMetrics({ inFlight: () => ({ requests: 0, bytes: 0 }), connections: () => 0 });
    a.answered('/', 200, 0.001);
    expect(sample(await a.text(), 'pinpipe_proxy_requests_total{route="/",status="200"}')).toBe(1);
    expect(sample(await b.text(), 'pinpipe_proxy_requests_total{route="/",status="200"}')).toBeUndefined();
  });
});

describe('GET /metrics on the proxy', () => {
  it('serves the text format without the API key and counts the answers before it', async () => {
    vi.spyOn(KafkaBackend.prototype, 'health').mockResolvedValue({ ok: false, detail: 'down' });
    await using proxy = await startProxy({
      profile: testProfile(),
      host: '127.0.0.1',
      port: 0,
      apiKey: 'k3y',
      logger: pino({ level: 'silent' }),
    });
    expect((await fetch(`${proxy.url}/`)).status).toBe(401);
    expect((await fetch(`${proxy.url}/`, { headers: { 'x-api-key': 'k3y' } })).status).toBe(200);
    expect((await fetch(`${proxy.url}/health`)).status).toBe(503);
    expect((await fetch(`${proxy.url}/nowhere/topics`, { headers: { 'x-api-key': 'k3y' } })).status).toBe(
      404,
    );
    const res = await fetch(`${proxy.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const t = await res.text();
    expect(sample(t, 'pinpipe_proxy_requests_total{route="/",status="401"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_requests_total{route="/",status="200"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_requests_total{route="/health",status="503"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_requests_total{route="unknown",status="404"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_errors_total{error_code="401"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_errors_total{error_code="50003"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_errors_total{error_code="404"}')).toBe(1);
    expect(sample(t, 'pinpipe_proxy_in_flight_requests')).toBe(0);
    expect(t).not.toContain('k3y');
    expect((await fetch(`${proxy.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
