import { topicNames, type Profile } from '../config/index.ts';
import { indOf } from './records.ts';
import type { ProduceOutcome } from './response.ts';
import { latencySummary, LatencyReservoir } from './stats.ts';
import {
  TOPIC_KEYS,
  type EmulatorSummary,
  type FailureSample,
  type RecordValue,
  type TopicKey,
  type TopicSummary,
} from './types.ts';

const MAX_FAILURE_SAMPLES = 20;

/** Counts of one run (pure bookkeeping): per-topic sent/acknowledged/failed, acknowledged inds, latencies. */
export class Tally {
  readonly topics: Record<TopicKey, TopicSummary>;
  readonly latency = new LatencyReservoir();
  requests = { sent: 0, retried: 0, failed: 0, throttled: 0 };
  posts = 0;
  consecutiveFailures = 0;
  private readonly failures = new Map<string, FailureSample>();

  constructor(profile: Pick<Profile, 'pipelineId'>) {
    const names = topicNames(profile);
    const empty = (topic: string): TopicSummary => ({
      topic,
      sent: 0,
      acknowledged: 0,
      failed: 0,
      missing: 0,
      inds: [],
      distinctInds: 0,
      resent: 0,
    });
    this.topics = { pin: empty(names.pin), geo: empty(names.geo), user: empty(names.user) };
  }

  get acknowledged(): number {
    return TOPIC_KEYS.reduce((n, k) => n + this.topics[k].acknowledged, 0);
  }

  get failed(): number {
    return TOPIC_KEYS.reduce((n, k) => n + this.topics[k].failed, 0);
  }

  /** Records one request's final outcome (after retries). */
  record(
    key: TopicKey,
    values: readonly RecordValue[],
    result: {
      outcome: ProduceOutcome | { kind: 'error'; message: string };
      attempts: number;
      latencyMs: number;
      throttled?: number;
    },
  ): void {
    const t = this.topics[key];
    this.requests.sent++;
    this.requests.throttled += result.throttled ?? 0;
    if (result.attempts > 1) this.requests.retried++;
    this.latency.add(result.latencyMs);
    t.sent += values.length;
    const o = result.outcome;
    if (o.kind === 'ok') {
      const bad = new Set(o.failed.map((f) => f.index));
      values.forEach((v, i) => {
        if (!bad.has(i)) {
          t.acknowledged++;
          t.inds.push(indOf(key, v));
        }
      });
      t.failed += bad.size;
      if (result.attempts > 1) t.resent = (t.resent ?? 0) + values.length - bad.size;
      for (const f of o.failed) this.addFailure(t.topic, 200, f.errorCode, f.message, 1);
      this.consecutiveFailures = 0;
      return;
    }
    this.requests.failed++;
    this.consecutiveFailures++;
    t.failed += values.length;
    if (o.kind === 'error') this.addFailure(t.topic, null, null, o.message, values.length);
    else this.addFailure(t.topic, o.status, o.errorCode, o.message, values.length);
  }

  private addFailure(
    topic: string,
    status: number | null,
    errorCode: number | null,
    message: string,
    records: number,
  ) {
    const key = `${topic}|${status}|${errorCode}|${message}`;
    const seen = this.failures.get(key);
    if (seen) seen.records += records;
    else if (this.failures.size < MAX_FAILURE_SAMPLES)
      this.failures.set(key, { topic, status, errorCode, message, records });
  }

  summary(
    base: Omit<
      EmulatorSummary,
      'posts' | 'requests' | 'records' | 'topics' | 'recordsPerSecond' | 'latencyMs' | 'failures'
    >,
  ): EmulatorSummary {
    for (const k of TOPIC_KEYS) this.topics[k].distinctInds = new Set(this.topics[k].inds).size;
    const sum = (f: (t: TopicSummary) => number) => TOPIC_KEYS.reduce((n, k) => n + f(this.topics[k]), 0);
    const acknowledged = sum((t) => t.acknowledged);
    return {
      ...base,
      posts: this.posts,
      requests: { ...this.requests },
      records: {
        sent: sum((t) => t.sent),
        acknowledged,
        failed: sum((t) => t.failed),
        missing: sum((t) => t.missing),
      },
      topics: this.topics,
      recordsPerSecond: base.elapsedMs > 0 ? Math.round((acknowledged / base.elapsedMs) * 1000 * 10) / 10 : 0,
      latencyMs: latencySummary(this.latency.samples),
      failures: [...this.failures.values()],
    };
  }
}
