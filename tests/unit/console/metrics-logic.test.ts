import { describe, expect, it } from 'vitest';
import { hasInd, mayHoldInd } from '../../../src/console/records.ts';
import {
  histogramQuantile,
  parsePrometheus,
  proxyFigures,
  sinkLagFromMetrics,
  withSinkLag,
} from '../../../src/console/prometheus.ts';
import { ProxyMetrics } from '../../../src/proxy/metrics.ts';

describe('parsePrometheus', () => {
  it('reads samples with labels, escapes and infinities, skipping comments', () => {
    const text = [
      '# HELP x_total help',
      '# TYPE x_total counter',
      'x_total{route="/topics/{topic}",status="200"} 3',
      'y{a="q\\"uote",b="back\\\\slash",c="new\\nline"} 1.5',
      'h_bucket{le="+Inf"} 7',
      'plain 42 1700000000000',
      '',
    ].join('\n');
    expect(parsePrometheus(text)).toEqual([
      { name: 'x_total', labels: { route: '/topics/{topic}', status: '200' }, value: 3 },
      { name: 'y', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline' }, value: 1.5 },
      { name: 'h_bucket', labels: { le: '+Inf' }, value: 7 },
      { name: 'plain', labels: {}, value: 42 },
    ]);
  });
});

describe('histogramQuantile', () => {
  it('interpolates within the bucket holding the rank, over every label set', () => {
    const s = parsePrometheus(
      [
        'h_bucket{le="0.1",route="a"} 5',
        'h_bucket{le="0.2",route="a"} 9',
        'h_bucket{le="+Inf",route="a"} 10',
        'h_bucket{le="0.1",route="b"} 5',
        'h_bucket{le="0.2",route="b"} 9',
        'h_bucket{le="+Inf",route="b"} 10',
      ].join('\n'),
    );
    expect(histogramQuantile(s, 'h', 0.5)).toBe(0.1);
    expect(histogramQuantile(s, 'h', 0.7)).toBeCloseTo(0.15, 10);
    expect(histogramQuantile(s, 'h', 0.99)).toBe(0.2);
    expect(histogramQuantile([], 'h', 0.5)).toBeNull();
  });
});

describe('proxyFigures', () => {
  it("sums a real proxy registry's requests (and its produce requests), records and errors, and its produce latency", async () => {
    const m = new ProxyMetrics({ inFlight: () => ({ requests: 0, bytes: 0 }), connections: () => 0 });
    m.answered('/topics/{topic}', 200, 0.004);
    m.answered('/topics/{topic}', 200, 0.006);
    m.answered('/topics/{topic}', 404, 0.002, 40401);
    m.answered('/health', 200, 1);
    m.records.inc({ topic: 'a.pin' }, 7);
    m.records.inc({ topic: 'a.geo' }, 3);
    expect(proxyFigures(parsePrometheus(await m.text()))).toEqual({
      requests: 4,
      produceRequests: 3,
      records: 10,
      errors: { '40401': 1 },
      latencyMs: { mean: 4, p95: 9.25 },
    });
  });
});

describe("the sink's lag from its metrics", () => {
  const samples = parsePrometheus(
    [
      'pinpipe_sink_lag{topic="a.pin",partition="1"} 4',
      'pinpipe_sink_lag{topic="a.pin",partition="0"} 0',
      'pinpipe_sink_lag{topic="a.geo",partition="0"} 9',
    ].join('\n'),
  );
  it('lists one topic per partition', () => {
    expect(sinkLagFromMetrics(samples, 'a.pin')).toEqual([
      { partition: 0, lag: 0 },
      { partition: 1, lag: 4 },
    ]);
  });
  it("replaces Kafka's lag where the sink gives one, keeps it elsewhere", () => {
    const parts = [
      { partition: 0, low: 0, high: 10, committed: 5, lag: 5 },
      { partition: 1, low: 0, high: 10, committed: 5, lag: 5 },
      { partition: 2, low: 0, high: 10, committed: 8, lag: 2 },
    ];
    expect(withSinkLag(parts, samples, 'a.pin')!.map((p) => p.lag)).toEqual([0, 4, 2]);
    expect(withSinkLag(parts, null, 'a.pin')).toBe(parts);
    expect(withSinkLag(null, samples, 'a.pin')).toBeNull();
  });
});

describe('hasInd', () => {
  it('matches the post index in the named field, as number or text', () => {
    expect(hasInd({ index: 7528, title: 'x' }, 'index', 7528)).toBe(true);
    expect(hasInd({ ind: '7528' }, 'ind', 7528)).toBe(true);
    expect(hasInd({ ind: 7528 }, 'index', 7528)).toBe(false);
    expect(hasInd({ ind: '' }, 'ind', 0)).toBe(false);
    expect(hasInd('not json', 'ind', 1)).toBe(false);
    expect(hasInd(null, 'ind', 1)).toBe(false);
  });

  it('is never ruled out by the raw-bytes test when the index is written in decimal', () => {
    for (const [value, field] of [
      [{ index: 7528, title: 'x' }, 'index'],
      [{ ind: '7528' }, 'ind'],
      [{ ind: '007528' }, 'ind'],
      [{ ind: 7528.0 }, 'ind'],
      [{ ind: ' 7528 ' }, 'ind'],
    ] as const) {
      const raw = Buffer.from(JSON.stringify(value));
      expect(hasInd(value, field, 7528)).toBe(true);
      expect(mayHoldInd(raw, 7528)).toBe(true);
    }
    expect(mayHoldInd(Buffer.from('{"ind":'.concat('"7528.0"}')), 7528)).toBe(true);
    expect(mayHoldInd(Buffer.from('{"ind":752,"x":8}'), 7528)).toBe(false);
    expect(mayHoldInd(Buffer.from('{"ind":17528}'), 7528)).toBe(true);
  });
});
