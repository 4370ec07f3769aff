import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { SinkMetrics, serveSinkMetrics } from '../../../src/sink/metrics.ts';
import { SinkState } from '../../../src/sink/sink-state.ts';
import { tpKey } from '../../../src/sink/offsets.ts';

function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

const msg = (offset: number, value: string | null) => ({
  offset: String(offset),
  timestamp: String(1_700_000_000_000 + offset),
  key: null,
  value: value === null ? null : Buffer.from(value),
});

function watched(state: SinkState): SinkMetrics {
  const m = new SinkMetrics();
  m.watch({
    counters: state.counters,
    assigned: state.assigned,
    highWatermark: (k) => state.highWatermarks.get(k),
    position: (k) => state.position(k),
    buffered: () => state.buffered(),
  });
  return m;
}

describe('SinkMetrics', () => {
  it("mirrors the sink's counters and its lag per partition at each scrape", async () => {
    const state = new SinkState({ flushSize: 2, rotateIntervalMs: 0, rotateScheduleIntervalMs: 0 });
    state.reset([
      { topic: 't.pin', partition: 0 },
      { topic: 't.pin', partition: 1 },
    ]);
    const m = watched(state);
    expect(sample(await m.text(), 'pinpipe_sink_records_in_total')).toBe(0);
    const writes = state.ingest(
      't.pin',
      0,
      [msg(0, '{"a":1}'), msg(1, '{"a":2}'), msg(2, 'not json'), msg(3, '{"a":3}')],
      0,
    );
    for (const w of writes) state.markStored(w, 100);
    state.highWatermarks.set(tpKey('t.pin', 0), 10);
    state.highWatermarks.set(tpKey('t.pin', 1), 7);
    state.seed('t.pin', 1, 2, true);
    m.flushSeconds.observe(0.02);
    const t = await m.text();
    expect(sample(t, 'pinpipe_sink_records_in_total')).toBe(4);
    expect(sample(t, 'pinpipe_sink_records_total')).toBe(2);
    expect(sample(t, 'pinpipe_sink_objects_total')).toBe(1);
    expect(sample(t, 'pinpipe_sink_bytes_total')).toBe(100);
    expect(sample(t, 'pinpipe_sink_error_records_total')).toBe(1);
    expect(sample(t, 'pinpipe_sink_buffered_records')).toBe(1);
    expect(sample(t, 'pinpipe_sink_lag{topic="t.pin",partition="0"}')).toBe(6);
    expect(sample(t, 'pinpipe_sink_lag{topic="t.pin",partition="1"}')).toBe(5);
    expect(sample(t, 'pinpipe_sink_flush_duration_seconds_count')).toBe(1);
    expect(sample(t, 'pinpipe_sink_flush_duration_seconds_bucket{le="0.025"}')).toBe(1);
    // A second scrape gives the same figures (counters are mirrored, not added again).
    expect(sample(await m.text(), 'pinpipe_sink_records_total')).toBe(2);
    // A rebalance that takes partition 1 away drops its lag series.
    state.reset([{ topic: 't.pin', partition: 0 }]);
    expect(sample(await m.text(), 'pinpipe_sink_lag{topic="t.pin",partition="1"}')).toBeUndefined();
  });
});

describe('serveSinkMetrics', () => {
  it('serves GET /metrics on 127.0.0.1, 404 elsewhere, 405 for other methods', async () => {
    const server = await serveSinkMetrics(new SinkMetrics(), 0);
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(sample(await res.text(), 'pinpipe_sink_objects_total')).toBe(0);
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('refuses a port in use with a USAGE error naming the flag', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(serveSinkMetrics(new SinkMetrics(), port)).rejects.toMatchObject({
        code: 'USAGE',
        message: `Port ${port} on 127.0.0.1 is in use: pass another --metrics-port (or set sink.metricsPort).`,
      });
      await expect(serveSinkMetrics(new SinkMetrics(), 70000)).rejects.toMatchObject({
        code: 'USAGE',
        message: '--metrics-port must be a port from 0 to 65535 (got 70000).',
      });
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
