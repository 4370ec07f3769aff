import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TopicMessages } from './linger-batcher.ts';

/**
 * The proxy's Prometheus metrics (docs/metrics.md), on a registry of its own: two proxies in one
 * process (tests) never share a counter, and nothing is registered globally.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly records: Counter<'topic'>;
  readonly bytes: Counter<'topic'>;
  readonly errors: Counter<'error_code'>;
  readonly latency: Histogram<'route'>;
  readonly sends: Counter<'outcome'>;
  readonly recordsPerSend: Histogram;

  constructor(gauges: { inFlight: () => { requests: number; bytes: number }; connections: () => number }) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value());
        },
      });
    this.requests = counter(
      'pinpipe_proxy_requests_total',
      'HTTP requests answered, by route (its shape, without topic names) and status.',
      ['route', 'status'],
    );
    this.records = counter(
      'pinpipe_proxy_records_total',
      'Records Kafka acknowledged (acks=all), by topic.',
      ['topic'],
    );
    this.bytes = counter(
      'pinpipe_proxy_request_bytes_total',
      'Bytes of produce request bodies read, by topic.',
      ['topic'],
    );
    this.errors = counter(
      'pinpipe_proxy_errors_total',
      'Error answers, by Confluent error_code (40401 topic not found, 50003 Kafka retriable, ...).',
      ['error_code'],
    );
    gauge(
      'pinpipe_proxy_in_flight_requests',
      'Produce requests admitted and not yet answered.',
      () => gauges.inFlight().requests,
    );
    gauge(
      'pinpipe_proxy_in_flight_bytes',
      'Bytes held by admitted produce requests and by Kafka sends that outlived their request.',
      () => gauges.inFlight().bytes,
    );
    gauge('pinpipe_proxy_connections', 'Open client connections.', () => gauges.connections());
    this.latency = new Histogram({
      name: 'pinpipe_proxy_request_duration_seconds',
      help: 'Time from the request to its answer, by route.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.sends = counter(
      'pinpipe_proxy_kafka_sends_total',
      'Kafka sends (one sendBatch gathers the records of concurrent requests), by outcome.',
      ['outcome'],
    );
    this.recordsPerSend = new Histogram({
      name: 'pinpipe_proxy_kafka_send_records',
      help: 'Records per Kafka send.',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
  }

  /** Wraps a send function so every send is counted with its size and outcome. */
  countSends<R>(send: (tm: TopicMessages[]) => Promise<R>): (tm: TopicMessages[]) => Promise<R> {
    return async (tm) => {
      this.recordsPerSend.observe(tm.reduce((n, t) => n + t.messages.length, 0));
      try {
        const r = await send(tm);
        this.sends.inc({ outcome: 'ok' });
        return r;
      } catch (err) {
        this.sends.inc({ outcome: 'failed' });
        throw err;
      }
    };
  }

  /** One answered request. */
  answered(route: string, status: number, seconds: number, errorCode?: number): void {
    this.requests.inc({ route, status: String(status) });
    this.latency.observe({ route }, seconds);
    if (errorCode !== undefined) this.errors.inc({ error_code: String(errorCode) });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
