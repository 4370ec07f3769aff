import type { BatchSummary } from '../batch/index.ts';
import { topicNames, type Profile } from '../config/index.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/index.ts';
import { describeError } from '../errors.ts';
import type { KafkaFigures } from './kafka-source.ts';
import { startCommand, type Stage, type StageId } from './stages.ts';
import { sumSamples, withSinkLag, type PromSample, type ProxyFigures } from './prometheus.ts';
import { type PartitionLag, type PartitionOffsets } from './records.ts';
import { startProfile } from './probe.ts';
import type { StoredTotals } from './s3-source.ts';
import type { Verdict } from './verdict.ts';

export interface TopicFigures {
  key: TopicKey;
  topic: string;
  /** Records in the log (high − low over partitions); null when Kafka is down. */
  records: number | null;
  sinkLag: number | null;
  /** Lag per partition; null when the sink group cannot be read. */
  partitions: PartitionLag[] | null;
  offsets: PartitionOffsets[] | null;
  s3: StoredTotals | null;
}

export interface PipelineFigures {
  at: string;
  profile: string;
  stages: Stage[];
  sourceRows: Record<TopicKey, number> | null;
  emulated: { runs: number; acknowledged: Record<TopicKey, number> };
  topics: TopicFigures[];
  sink: {
    state: string;
    members: number;
    /** From the sink's /metrics when it serves them (docs/metrics.md); lag per partition too then. */
    metrics: null | { records: number; objects: number; bytes: number; errorRecords: number };
  } | null;
  /** From the proxy's /metrics; null when the proxy is down or serves none. */
  proxy: ProxyFigures | null;
  s3: StoredTotals | null;
  /** pinpipe verify's reconciliation, recomputed at most every VERDICT_MS while a page is open. */
  verdict: Verdict;
  lastBatch: null | {
    generatedAt: string;
    runDate: string;
    rows: Record<string, number>;
    quarantined: number | null;
    durationMs: number;
  };
}

/** One read that fails on its own: its value, or the error that marks its stage down. */
export type Settled<T> = { value: T; error: undefined } | { value: undefined; error: unknown };

export function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error ?? new Error('failed') }),
  );
}

/** Everything one refresh of the figures read. */
export interface Readings {
  at: Date;
  mysql: Settled<Record<TopicKey, number>>;
  kafka: Settled<KafkaFigures>;
  s3: Settled<Record<TopicKey, StoredTotals>>;
  proxy: Settled<ProxyFigures | null>;
  /** The sink's own /metrics; null when no running sink serves them. */
  sinkSamples: PromSample[] | null;
  batch: BatchSummary | undefined;
  emulated: PipelineFigures['emulated'];
  verdict: Verdict;
}

/** Each stage up, or down with the reason and the command that starts it. */
function stage(profile: Profile, id: StageId, label: string, err?: unknown): Stage {
  if (err === undefined) return { id, label, state: 'up' };
  return {
    id,
    label,
    state: 'down',
    reason: describeError(err),
    start: startCommand(id, startProfile(profile)),
  };
}

/** A one-shot stage, shown with the command that runs it. */
function idle(profile: Profile, id: StageId, label: string): Stage {
  return { id, label, state: 'idle', start: startCommand(id, startProfile(profile)) };
}

/** Why the sink is down, or undefined when it is up (a consumer in its group). */
function sinkDown(profile: Profile, kafka: Readings['kafka']): unknown {
  const k = kafka.value;
  if (k === undefined) return new Error('Kafka is down');
  if (k.sinkError !== undefined) return k.sinkError;
  if ((k.sink?.members ?? 0) > 0) return undefined;
  return new Error(`no consumer in group ${profile.sink.groupId} (${k.sink?.state})`);
}

/** The stages in the diagram's order; each part fails on its own and marks its stage down. */
export function pipelineStages(profile: Profile, r: Readings): Stage[] {
  return [
    stage(profile, 'mysql', 'MySQL source', r.mysql.error),
    idle(profile, 'emulator', 'Emulator'),
    profile.sandbox.enabled
      ? stage(profile, 'gateway', 'API Gateway', r.s3.error)
      : { id: 'gateway', label: 'API Gateway', state: 'idle' },
    stage(profile, 'proxy', 'REST proxy', r.proxy.error),
    stage(profile, 'kafka', 'Kafka topics', r.kafka.error),
    stage(profile, 'sink', 'Sink', sinkDown(profile, r.kafka)),
    stage(profile, 's3', 'S3', r.s3.error),
    r.batch ? stage(profile, 'batch', 'Batch') : idle(profile, 'batch', 'Batch'),
    r.batch ? stage(profile, 'results', 'Results') : idle(profile, 'results', 'Results'),
  ];
}

/** The page's figures from one refresh's readings. */
export function pipelineFigures(profile: Profile, r: Readings): PipelineFigures {
  const names = topicNames(profile);
  const kafka = r.kafka.value;
  const s3 = r.s3.value;
  const samples = r.sinkSamples;
  const summary = r.batch;
  return {
    at: r.at.toISOString(),
    profile: profile.name,
    stages: pipelineStages(profile, r),
    sourceRows: r.mysql.value ?? null,
    emulated: r.emulated,
    topics: TOPIC_KEYS.map((k) => {
      const parts = withSinkLag(kafka?.perTopic[k] ?? null, samples, names[k]);
      return {
        key: k,
        topic: names[k],
        records: parts ? parts.reduce((a, p) => a + p.high - p.low, 0) : null,
        sinkLag: parts && kafka?.sink ? parts.reduce((a, p) => a + p.lag, 0) : null,
        partitions: kafka?.sink ? parts : null,
        offsets: parts?.map(({ partition, low, high }) => ({ partition, low, high })) ?? null,
        s3: s3?.[k] ?? null,
      };
    }),
    sink: kafka?.sink
      ? {
          ...kafka.sink,
          metrics: samples
            ? {
                records: sumSamples(samples, 'pinpipe_sink_records_total'),
                objects: sumSamples(samples, 'pinpipe_sink_objects_total'),
                bytes: sumSamples(samples, 'pinpipe_sink_bytes_total'),
                errorRecords: sumSamples(samples, 'pinpipe_sink_error_records_total'),
              }
            : null,
        }
      : null,
    proxy: r.proxy.value ?? null,
    s3: s3
      ? TOPIC_KEYS.reduce((a, k) => ({ objects: a.objects + s3[k].objects, bytes: a.bytes + s3[k].bytes }), {
          objects: 0,
          bytes: 0,
        })
      : null,
    verdict: r.verdict,
    lastBatch: summary
      ? {
          generatedAt: summary.generatedAt,
          runDate: summary.runDate,
          rows: summary.rows,
          quarantined: summary.quarantined?.total ?? null,
          durationMs: summary.durationMs,
        }
      : null,
  };
}
