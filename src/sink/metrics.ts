import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PinpipeError } from '../errors.ts';
import { lagOf, parseTpKey } from './offsets.ts';
import type { SinkCounters } from './sink-state.ts';

/** Where the sink's /metrics listens: the loopback interface only. */
export const SINK_METRICS_HOST = '127.0.0.1';

/** What the metrics read from a running sink at each scrape. */
export interface SinkMetricsSource {
  counters: SinkCounters;
  assigned: Iterable<string>;
  highWatermark(key: string): number | undefined;
  position(key: string): number | undefined;
  buffered(): number;
}

/**
 * The sink's Prometheus metrics (docs/metrics.md), on a registry of its own. Counters mirror the
 * sink's own counters at scrape time, so the figures equal the sink's summary exactly.
 */
export class SinkMetrics {
  readonly registry = new Registry();
  readonly flushSeconds: Histogram;
  private source: SinkMetricsSource | undefined;

  constructor() {
    const registers = [this.registry];
    const source = () => this.source;
    const mirror = (name: string, help: string, pick: (c: SinkCounters) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect(this: Counter) {
          const c = source()?.counters;
          this.reset();
          if (c) this.inc(pick(c));
        },
      });
    mirror(
      'pinpipe_sink_records_in_total',
      'Records Kafka handed to the sink (re-deliveries count again).',
      (c) => c.recordsIn,
    );
    mirror('pinpipe_sink_records_total', 'Records stored in S3 objects.', (c) => c.recordsWritten);
    mirror('pinpipe_sink_objects_total', 'Objects stored in S3.', (c) => c.objectsWritten);
    mirror('pinpipe_sink_bytes_total', 'Bytes of the objects stored in S3.', (c) => c.bytesWritten);
    mirror(
      'pinpipe_sink_error_records_total',
      'Records that are not JSON, stored under errors/.',
      (c) => c.errorRecords,
    );
    mirror('pinpipe_sink_commits_total', 'Offset commits sent to the group.', (c) => c.commits);
    mirror(
      'pinpipe_sink_commits_skipped_total',
      'Commits not sent because the group rebalanced after the objects were stored.',
      (c) => c.commitsSkipped,
    );
    mirror(
      'pinpipe_sink_upload_retries_total',
      'PutObject attempts that failed and were retried.',
      (c) => c.uploadRetries,
    );
    mirror('pinpipe_sink_rebalances_total', 'Group rebalances after the first join.', (c) => c.rebalances);
    new Gauge({
      name: 'pinpipe_sink_lag',
      help: 'Records not yet read, per assigned partition (high watermark − position).',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        const s = source();
        if (!s) return;
        for (const key of s.assigned) {
          const { topic, partition } = parseTpKey(key);
          this.set({ topic, partition: String(partition) }, lagOf(s.highWatermark(key), s.position(key)));
        }
      },
    });
    new Gauge({
      name: 'pinpipe_sink_buffered_records',
      help: 'Records read and held in memory, not yet in a stored object.',
      registers,
      collect() {
        this.set(source()?.buffered() ?? 0);
      },
    });
    this.flushSeconds = new Histogram({
      name: 'pinpipe_sink_flush_duration_seconds',
      help: 'Time to store one set of closed objects in S3 (all PutObjects of a flush, retries included).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /** The running sink to read at each scrape. */
  watch(source: SinkMetricsSource): void {
    this.source = source;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics on 127.0.0.1:`port` (0: any free port); every other path is 404. */
export async function serveSinkMetrics(metrics: SinkMetrics, port: number): Promise<MetricsServer> {
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
    throw new PinpipeError('USAGE', `--metrics-port must be a port from 0 to 65535 (got ${port}).`);
  }
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://sink.invalid').pathname;
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found: the sink serves only GET /metrics.\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET' });
      res.end('Only GET /metrics.\n');
      return;
    }
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics failed: ${(err as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new PinpipeError(
          'USAGE',
          err.code === 'EADDRINUSE'
            ? `Port ${port} on ${SINK_METRICS_HOST} is in use: pass another --metrics-port (or set sink.metricsPort).`
            : `The sink's metrics cannot listen on ${SINK_METRICS_HOST}:${port}: ${err.message}`,
          { cause: err },
        ),
      ),
    );
    server.listen(port, SINK_METRICS_HOST, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${SINK_METRICS_HOST}:${bound}/metrics`,
    port: bound,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
