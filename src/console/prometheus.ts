/** The proxy's and the sink's /metrics (Prometheus text) read into the console's figures (pure). */
import type { PartitionLag } from './records.ts';

/** One sample of a Prometheus text exposition. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
/** Parses the sample lines of the Prometheus text format (comments skipped, label escapes undone). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      while ((l = LABEL.exec(m[2])) !== null) {
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}
/** The sum of a metric's samples whose labels include `match`. */
export function sumSamples(samples: PromSample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
/**
 * The q-quantile of a histogram summed over its label sets (linear within the bucket, as
 * Prometheus' histogram_quantile does); null without observations.
 */
export function histogramQuantile(samples: PromSample[], name: string, q: number): number | null {
  const byLe = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  const buckets = [...byLe].sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
export interface ProxyFigures {
  requests: number;
  /** Produce requests (POST /topics/…): what API Gateway forwards, plus any sent to the proxy directly. */
  produceRequests: number;
  records: number;
  errors: Record<string, number>;
  /** Mean and 95th percentile of the produce routes' latency, in milliseconds. */
  latencyMs: { mean: number | null; p95: number | null };
}
const PRODUCE_ROUTES = ['/topics/{topic}', '/topics/{topic}/partitions/{partition}'];
/** The console's proxy figures from the proxy's /metrics. */
export function proxyFigures(samples: PromSample[]): ProxyFigures {
  const errors: Record<string, number> = {};
  for (const s of samples) {
    if (s.name === 'pinpipe_proxy_errors_total') errors[s.labels.error_code ?? '?'] = s.value;
  }
  const produce = samples.filter((s) => PRODUCE_ROUTES.includes(s.labels.route ?? ''));
  const count = sumSamples(produce, 'pinpipe_proxy_request_duration_seconds_count');
  const sum = sumSamples(produce, 'pinpipe_proxy_request_duration_seconds_sum');
  const p95 = histogramQuantile(produce, 'pinpipe_proxy_request_duration_seconds', 0.95);
  return {
    requests: sumSamples(samples, 'pinpipe_proxy_requests_total'),
    produceRequests: sumSamples(produce, 'pinpipe_proxy_requests_total'),
    records: sumSamples(samples, 'pinpipe_proxy_records_total'),
    errors,
    latencyMs: {
      mean: count > 0 ? Math.round((sum / count) * 100_000) / 100 : null,
      p95: p95 === null ? null : Math.round(p95 * 100_000) / 100,
    },
  };
}
/** Lag per partition of one topic from the sink's /metrics. */
export function sinkLagFromMetrics(
  samples: PromSample[],
  topic: string,
): Array<{ partition: number; lag: number }> {
  return samples
    .filter((s) => s.name === 'pinpipe_sink_lag' && s.labels.topic === topic)
    .map((s) => ({ partition: Number(s.labels.partition), lag: s.value }))
    .sort((a, b) => a.partition - b.partition);
}
/** Kafka's lag per partition, replaced by the sink's own figure where its /metrics give one. */
export function withSinkLag(
  parts: PartitionLag[] | null,
  samples: PromSample[] | null,
  topic: string,
): PartitionLag[] | null {
  if (!parts || !samples) return parts;
  const fromSink = new Map(sinkLagFromMetrics(samples, topic).map((p) => [p.partition, p.lag]));
  return parts.map((p) => (fromSink.has(p.partition) ? { ...p, lag: fromSink.get(p.partition)! } : p));
}
