/**
 * The console's pure parts: access checks, request parsing, offset windows, lag and the stage
 * list. No I/O here, so every rule is unit-tested without services.
 */
import { secretEquals } from '../secret-equals.ts';
import { z } from 'zod';
import { parseJson } from '../json.ts';

/** An HTTP answer the server writes as JSON: `{ error: { code, message } }` for non-2xx. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function problemBody(p: HttpProblem): { error: { code: string; message: string } } {
  return { error: { code: p.code, message: p.message } };
}

/**
 * Whether a request may read data: it carries the token (query `token` or header
 * `x-pinpipe-token`) and names this server in Host (which defeats DNS rebinding), and a browser
 * request that states an Origin comes from this same origin.
 */
export function checkAccess(
  req: { url: string; headers: Record<string, string | string[] | undefined> },
  token: string,
  port: number,
): HttpProblem | undefined {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = header('host');
  if (!host || !allowedHosts.includes(host)) {
    return new HttpProblem(403, 'FORBIDDEN', `Host ${host ?? '(none)'} is not this console.`);
  }
  const origin = header('origin');
  if (origin && !allowedHosts.map((h) => `http://${h}`).includes(origin)) {
    return new HttpProblem(403, 'FORBIDDEN', `Requests from ${origin} are refused.`);
  }
  const given = new URL(req.url, 'http://x').searchParams.get('token') ?? header('x-pinpipe-token');
  if (!secretEquals(token, given)) {
    return new HttpProblem(
      403,
      'FORBIDDEN',
      'Missing or wrong token: open the URL `pinpipe console` printed (it ends in ?token=…).',
    );
  }
  return undefined;
}

/** A whole number ≥ min from a query parameter, `undefined` when absent, 400 otherwise. */
export function intParam(value: string | null, name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) {
    throw new HttpProblem(400, 'BAD_REQUEST', `${name} must be a whole number (got "${value}").`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpProblem(400, 'BAD_REQUEST', `${name} must be between ${min} and ${max} (got ${value}).`);
  }
  return n;
}

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** The watermarks as read (decimal strings) → numbers, sorted by partition. */
export function toPartitionOffsets(
  raw: Array<{ partition: number; low: string; high: string }>,
): PartitionOffsets[] {
  return raw
    .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** A half-open range [from, to) of offsets to read in one partition. */
export interface OffsetWindow {
  partition: number;
  from: number;
  to: number;
}

/**
 * Which offsets a records request reads. Without `partition`: the newest `limit` of every
 * partition (the caller keeps the newest `limit` overall). With `partition` and `offset`: the
 * `limit` records from `offset` on. With `partition` alone: that partition's newest page.
 * Unknown partition → 404; an offset outside [low, high) → 416 naming the valid range.
 */
export function recordWindows(
  partitions: PartitionOffsets[],
  q: { partition?: number; offset?: number; limit: number },
): OffsetWindow[] {
  const newest = (p: PartitionOffsets): OffsetWindow => ({
    partition: p.partition,
    from: Math.max(p.low, p.high - q.limit),
    to: p.high,
  });
  if (q.partition === undefined) {
    if (q.offset !== undefined) {
      throw new HttpProblem(400, 'BAD_REQUEST', 'offset needs a partition (…&partition=0&offset=N).');
    }
    return partitions.map(newest).filter((w) => w.to > w.from);
  }
  const p = partitions.find((x) => x.partition === q.partition);
  if (!p) {
    throw new HttpProblem(
      404,
      'NOT_FOUND',
      `Partition ${q.partition} does not exist (partitions: ${partitions.map((x) => x.partition).join(', ')}).`,
    );
  }
  if (q.offset === undefined) {
    const w = newest(p);
    return w.to > w.from ? [w] : [];
  }
  if (q.offset < p.low || q.offset >= p.high) {
    throw new HttpProblem(
      416,
      'OFFSET_OUT_OF_RANGE',
      p.high > p.low
        ? `Offset ${q.offset} is outside partition ${p.partition}'s records: ${p.low} to ${p.high - 1}.`
        : `Partition ${p.partition} holds no records (offset ${p.low} is next).`,
    );
  }
  return [{ partition: p.partition, from: q.offset, to: Math.min(p.high, q.offset + q.limit) }];
}

export interface BrowsedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** The value parsed as JSON, or the raw text when it is not JSON. */
  value: unknown;
}

export function decodeValue(text: string | null): unknown {
  if (text === null) return null;
  const r = parseJson(text, z.json());
  return r.ok ? r.value : text;
}

/** Newest first (by timestamp, then offset), at most `limit`. */
export function newestFirst(records: BrowsedRecord[], limit: number): BrowsedRecord[] {
  return [...records]
    .sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset || a.partition - b.partition)
    .slice(0, limit);
}

export interface PartitionLag extends PartitionOffsets {
  /** The sink group's committed offset, null when it never committed in this partition. */
  committed: number | null;
  lag: number;
}

/** Lag per partition: high − committed (high − low when the group never committed). */
export function lagPerPartition(
  offsets: PartitionOffsets[],
  committed: Array<{ partition: number; offset: string }>,
): PartitionLag[] {
  return offsets.map((p) => {
    const c = Number(committed.find((x) => x.partition === p.partition)?.offset ?? -1);
    const at = c >= 0 ? c : null;
    return { ...p, committed: at, lag: p.high - (at ?? p.low) };
  });
}

/** First `lines` lines of a text, and whether more followed. */
export function previewLines(text: string, lines: number): { lines: string[]; truncated: boolean } {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return { lines: all.slice(0, lines), truncated: all.length > lines };
}

/** An S3 prefix from a query: no leading slash, no `..` segments. */
export function cleanPrefix(value: string | null): string {
  const p = (value ?? '').replace(/^\/+/, '');
  if (p.split('/').includes('..')) {
    throw new HttpProblem(400, 'BAD_REQUEST', 'A prefix may not contain "..".');
  }
  return p;
}

export const STAGE_IDS = [
  'mysql',
  'emulator',
  'gateway',
  'proxy',
  'kafka',
  'sink',
  's3',
  'batch',
  'results',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

export interface Stage {
  id: StageId;
  label: string;
  /** up: answers; down: unreachable (see `reason`, `start`); idle: nothing to run (one-shot jobs). */
  state: 'up' | 'down' | 'idle';
  reason?: string;
  /** The command that starts the stage when it is down. */
  start?: string;
}

/** The command that starts each stage, for the profile's kind. */
export function startCommand(id: StageId, profile: { name: string; sandboxEnabled: boolean }): string {
  const p = profile.name === 'local' ? '' : ` --profile ${profile.name}`;
  const sandbox = 'npm run sandbox:up';
  switch (id) {
    case 'mysql':
      return profile.sandboxEnabled ? sandbox : `pinpipe doctor${p}`;
    case 'kafka':
    case 's3':
    case 'gateway':
      return profile.sandboxEnabled ? sandbox : `pinpipe provision${p}`;
    case 'emulator':
      return `pinpipe emulate${p}`;
    case 'proxy':
      return `pinpipe proxy${p}`;
    case 'sink':
      return `pinpipe sink${p}`;
    case 'batch':
    case 'results':
      return `pinpipe batch${p}`;
  }
}

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

/**
 * Whether a record's value carries this post index in `field` (`index` in pin records, `ind` in
 * geo and user records).
 */
export function hasInd(value: unknown, field: string, ind: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = (value as Record<string, unknown>)[field];
  return (typeof v === 'number' || typeof v === 'string') && v !== '' && Number(v) === ind;
}

/**
 * A cheap test on a record's raw bytes before it is decoded: false only when the record cannot
 * carry the index written in decimal digits (as the pipeline writes it: `7528`, `"7528"`,
 * `"007528"`, `7528.0`), because those digits are nowhere in it.
 */
export function mayHoldInd(raw: Buffer, ind: number): boolean {
  return raw.includes(String(ind));
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

/**
 * A reading the figures need every second whose cost grows with the data (listing every S3 object):
 * it is read again when the last result is older than `factor` × the time the last read took, so
 * at most 1/factor of the time goes to it. A read that took up to `waitMs` is awaited (the figures
 * stay current); a slower one runs in the background and the last result is served meanwhile. A
 * failed read is retried at the next call and reported to every caller until one succeeds.
 */
export class Paced<T> {
  private last: { at: number; ms: number; value?: T; error?: unknown } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly opts: { factor?: number; waitMs?: number; now?: () => number } = {},
  ) {}

  async get(): Promise<T> {
    const now = this.opts.now ?? Date.now;
    const factor = this.opts.factor ?? 10;
    const last = this.last;
    const failed = last?.error !== undefined;
    if (!this.running && (!last || failed || now() - last.at >= factor * last.ms)) {
      const t0 = now();
      this.running = this.read().then(
        (value) => {
          this.last = { at: now(), ms: now() - t0, value };
          this.running = undefined;
        },
        (error: unknown) => {
          this.last = { at: now(), ms: now() - t0, error: error ?? new Error('failed') };
          this.running = undefined;
        },
      );
    }
    if (this.running && (!last || failed || last.ms <= (this.opts.waitMs ?? 250))) await this.running;
    const r = this.last!;
    if (r.error !== undefined) throw r.error;
    return r.value as T;
  }
}
