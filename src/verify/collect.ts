import fs from 'node:fs';
import path from 'node:path';
import type { KafkaAdmin as Admin } from '../clients/kafka.ts';
import { groupOffsets, topicOffsets } from '../clients/kafka-topics.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Profile, topicNames } from '../config/index.ts';
import { type BatchSummary, batchSummarySchema } from '../batch/index.ts';
import { resultsDir as batchResultsDir } from '../batch/results.ts';
import { listKeys, SINK_DEFAULTS, readSinkStatus, sinkStatusPath } from '../sink/index.ts';
import pRetry from 'p-retry';
import { PinpipeError, describeError } from '../errors.ts';
import { parseJson } from '../json.ts';
import { processAlive } from '../process-alive.ts';
import { describeKafkaFailure, isKafkaRetriable } from '../clients/kafka-errors.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';
import {
  ledgerLive,
  ledgerTotals,
  proxyLedgerPath,
  readAckLedger,
  readAckLedgerDetail,
  type TopicAcks,
} from '../ledger/index.ts';
import type { TopicCounts } from './reconcile.ts';
import { StoredObjectIndex, countDistinct } from './stored-index.ts';
import {
  errorOffsets,
  storedInCut,
  unacknowledgedInCut,
  type CutStored,
  type PartitionCut,
  type StoredOffsets,
} from './cut.ts';

/** Per topic, per partition: an offset (the first offset of a run, or a high watermark). */
export type PartitionOffsets = Record<TopicKey, Record<number, number>>;

/** Where a run starts: the high watermarks before it, and the proxy's ledger totals at that moment. */
export interface RunScope {
  runId: string;
  since: PartitionOffsets;
  proxyBefore: Map<string, TopicAcks> | undefined;
}

/** Low and high watermark of every partition of the three topics. */
export async function kafkaWatermarks(
  admin: Admin,
  profile: Profile,
): Promise<Record<TopicKey, Array<{ partition: number; low: number; high: number }>>> {
  const names = topicNames(profile);
  const out = {} as Record<TopicKey, Array<{ partition: number; low: number; high: number }>>;
  for (const k of TOPIC_KEYS) {
    try {
      // A retriable refusal (a partition whose leadership is still being applied, right after the
      // topic was created or the broker restarted) is retried for a few seconds.
      const offsets = await pRetry(() => topicOffsets(admin, names[k]), {
        retries: 20,
        minTimeout: 100,
        maxTimeout: 500,
        maxRetryTime: 10_000,
        shouldRetry: ({ error }) => isKafkaRetriable(error),
      });
      out[k] = offsets.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
    } catch (err) {
      throw new PinpipeError(
        'KAFKA_UNAVAILABLE',
        `Cannot read the offsets of ${names[k]}: ${describeKafkaFailure(err).replace(/\.$/, '')}.`,
        {
          cause: err,
        },
      );
    }
  }
  return out;
}

/** The high watermark of every partition: where the next run's records start. */
export async function highWatermarks(admin: Admin, profile: Profile): Promise<PartitionOffsets> {
  const w = await kafkaWatermarks(admin, profile);
  const out = {} as PartitionOffsets;
  for (const k of TOPIC_KEYS) out[k] = Object.fromEntries(w[k].map((p) => [p.partition, p.high]));
  return out;
}

/** Records in each topic's log: high − low watermark (or − `since`, when later), summed over partitions. */
export async function kafkaCounts(
  admin: Admin,
  profile: Profile,
  since?: PartitionOffsets,
): Promise<Record<TopicKey, number>> {
  const w = await kafkaWatermarks(admin, profile);
  const out = { pin: 0, geo: 0, user: 0 };
  for (const k of TOPIC_KEYS) {
    out[k] = w[k].reduce(
      (a, p) => a + Math.max(0, p.high - Math.max(p.low, since?.[k][p.partition] ?? 0)),
      0,
    );
  }
  return out;
}

/**
 * What S3 holds for each topic: the sink's objects under topics/<topic>/ (offsets per object, read
 * through `index`, which reuses what it read before) and the offsets it sent to errors/<topic>/.
 */
export async function s3Stored(
  s3: S3Client,
  profile: Profile,
  index: (prefix: string) => StoredObjectIndex = (prefix) =>
    new StoredObjectIndex(s3, profile.s3.bucket, prefix),
): Promise<Record<TopicKey, StoredOffsets>> {
  const names = topicNames(profile);
  const out = {} as Record<TopicKey, StoredOffsets>;
  for (const k of TOPIC_KEYS) {
    try {
      const spans = await index(`${profile.s3.topicsDir}/${names[k]}/`).refresh();
      const errors = await listKeys(s3, profile.s3.bucket, `${SINK_DEFAULTS.errorsDir}/${names[k]}/`);
      out[k] = { spans, errors: errorOffsets(errors) };
    } catch (err) {
      throw new PinpipeError(
        'S3_UNAVAILABLE',
        `Cannot list s3://${profile.s3.bucket}: ${describeError(err)}.`,
        {
          cause: err,
        },
      );
    }
  }
  return out;
}

/**
 * Distinct stored offsets under topics/<topic>/ and the records the sink sent to errors/<topic>/;
 * with `since`, only offsets at or after it (one run), and `all` still counts every stored offset.
 * `index` gives the object index of a prefix to reuse between calls (only changed objects are read
 * again); without it every object is read.
 */
export async function s3Counts(
  s3: S3Client,
  profile: Profile,
  since?: PartitionOffsets,
  index?: (prefix: string) => StoredObjectIndex,
): Promise<Record<TopicKey, { records: number; errors: number; all: number }>> {
  const stored = await s3Stored(s3, profile, index);
  const out = {} as Record<TopicKey, { records: number; errors: number; all: number }>;
  for (const k of TOPIC_KEYS) {
    const from = (partition: number) => since?.[k][partition] ?? 0;
    const distinct = countDistinct(stored[k].spans, from);
    out[k] = {
      records: distinct.records,
      errors: stored[k].errors.filter((e) => e.offset >= from(e.partition)).length,
      all: distinct.all,
    };
  }
  return out;
}

/** The sink group's committed offset per partition (undefined where it has none, or when unreadable). */
export async function sinkCommitted(
  admin: Admin,
  profile: Profile,
): Promise<Record<TopicKey, Record<number, number>> | undefined> {
  const names = topicNames(profile);
  try {
    const committed = await groupOffsets(admin, profile.sink.groupId, Object.values(names));
    const out = {} as Record<TopicKey, Record<number, number>>;
    for (const k of TOPIC_KEYS) {
      out[k] = {};
      for (const p of committed.find((c) => c.topic === names[k])?.partitions ?? []) {
        const o = Number(p.offset);
        if (o >= 0) out[k][p.partition] = o;
      }
    }
    return out;
  } catch {
    // Without them nothing is judged lost from S3: every record not stored is counted in flight.
    return undefined;
  }
}

/** The last batch's summary (default results folder), or undefined when the batch never ran. */
export function lastBatchSummary(profile: Profile, resultsDir?: string): BatchSummary | undefined {
  const file = path.join(batchResultsDir(profile, resultsDir), 'summary.json');
  if (!fs.existsSync(file)) return undefined;
  const r = parseJson(fs.readFileSync(file, 'utf8'), batchSummarySchema);
  if (!r.ok) {
    throw new PinpipeError(
      'BATCH_FAILED',
      `${file} is not a readable batch summary (${r.problem}): run \`pinpipe batch\` again.`,
      { details: { file } },
    );
  }
  // Checked: what only the DuckDB engine writes (mode, CPU times) is absent from a Spark run's summary.
  return r.value as unknown as BatchSummary;
}

/** What the proxy answered per topic, minus what it had answered before the run (when scoped). */
export function proxyAcks(
  profile: Profile,
  before?: Map<string, TopicAcks>,
): Record<TopicKey, TopicAcks> | undefined {
  const now = readAckLedger(proxyLedgerPath(profile));
  if (!now) return undefined;
  const names = topicNames(profile);
  const out = {} as Record<TopicKey, TopicAcks>;
  for (const k of TOPIC_KEYS) {
    const a = now.get(names[k]) ?? { acknowledged: 0, failed: 0 };
    const b = before?.get(names[k]) ?? { acknowledged: 0, failed: 0 };
    out[k] = { acknowledged: a.acknowledged - b.acknowledged, failed: a.failed - b.failed };
  }
  return out;
}

export function topicCounts(
  profile: Profile,
  kafka: Record<TopicKey, number>,
  s3: Record<TopicKey, { records: number; errors: number; all?: number }>,
  batch: BatchSummary | undefined,
  scope?: Pick<RunScope, 'runId' | 'proxyBefore'>,
): Record<TopicKey, TopicCounts> {
  const ledger = ledgerTotals(profile, scope?.runId);
  const proxy = proxyAcks(profile, scope?.proxyBefore);
  const names = topicNames(profile);
  const out = {} as Record<TopicKey, TopicCounts>;
  for (const k of TOPIC_KEYS) {
    out[k] = {
      topic: names[k],
      sent: ledger.runs > 0 ? ledger.acknowledged[k] : null,
      resent: ledger.resent[k],
      proxy: proxy ? proxy[k] : null,
      kafka: kafka[k],
      s3: s3[k].records,
      s3Errors: s3[k].errors,
      ...(s3[k].all !== undefined && s3[k].all !== s3[k].records ? { s3All: s3[k].all } : {}),
      batch:
        batch && !batch.nothingToProcess
          ? {
              records: batch.lines[k] - batch.duplicates.offsets[k],
              quarantined: batch.quarantined.perTopic[k],
              duplicatePosts: batch.duplicates.posts[k],
              cleanRows: batch.rows[k],
            }
          : batch?.nothingToProcess
            ? { records: 0, quarantined: 0, duplicatePosts: 0, cleanRows: 0 }
            : null,
    };
  }
  return out;
}

/** What the ledgers said before the cut: acknowledged per topic (the larger of proxy and emulator). */
export function acknowledgedBeforeCut(
  profile: Profile,
  scope?: Pick<RunScope, 'runId' | 'proxyBefore'>,
): Record<TopicKey, number> {
  const ledger = ledgerTotals(profile, scope?.runId);
  const proxy = proxyAcks(profile, scope?.proxyBefore);
  const out = { pin: 0, geo: 0, user: 0 };
  for (const k of TOPIC_KEYS) {
    out[k] = Math.max(proxy?.[k].acknowledged ?? 0, ledger.runs > 0 ? ledger.acknowledged[k] : 0);
  }
  return out;
}

/** Everything read for one cut (see Verifier.run), in the order it was read. */
export interface CutReadings {
  /** Acknowledged before the cut (acknowledgedBeforeCut). */
  ackedBefore: Record<TopicKey, number>;
  /** Kafka's watermarks: the cut. */
  watermarks: Record<TopicKey, Array<{ partition: number; low: number; high: number }>>;
  committed: Record<TopicKey, Record<number, number>> | undefined;
  stored: Record<TopicKey, StoredOffsets>;
  /** The high watermarks read again after S3. */
  end: PartitionOffsets;
}

/** The cut's partitions of one topic. */
export function partitionCuts(r: CutReadings, k: TopicKey, since?: PartitionOffsets): PartitionCut[] {
  return r.watermarks[k].map((p) => ({
    partition: p.partition,
    from: Math.max(p.low, since?.[k][p.partition] ?? 0),
    cut: p.high,
    committed: r.committed?.[k][p.partition],
    end: r.end[k][p.partition] ?? p.high,
  }));
}

/**
 * The counts of one cut: Kafka up to the cut, S3 within it, the ledgers read after it (the
 * proxy's offset by offset), and the batch.
 */
export function cutTopicCounts(
  profile: Profile,
  r: CutReadings,
  batch: BatchSummary | undefined,
  scope?: RunScope,
): Record<TopicKey, TopicCounts> {
  const names = topicNames(profile);
  const parts = Object.fromEntries(TOPIC_KEYS.map((k) => [k, partitionCuts(r, k, scope?.since)])) as Record<
    TopicKey,
    PartitionCut[]
  >;
  const stored = Object.fromEntries(TOPIC_KEYS.map((k) => [k, storedInCut(parts[k], r.stored[k])])) as Record<
    TopicKey,
    CutStored
  >;
  const kafka = { pin: 0, geo: 0, user: 0 };
  for (const k of TOPIC_KEYS) kafka[k] = parts[k].reduce((a, p) => a + Math.max(0, p.cut - p.from), 0);
  const counts = topicCounts(profile, kafka, stored, batch, scope);
  const detail = readAckLedgerDetail(proxyLedgerPath(profile));
  const acked = detail?.offsets;
  const proxyFlushLost = detail?.writers.some((w) => !w.closed && !processAlive(w.pid));
  const sinkRunning = readSinkStatus(sinkStatusPath(profile, profile.sink.groupId)) !== undefined;
  const emulatorLive = ledgerLive(profile, scope?.runId);
  for (const k of TOPIC_KEYS) {
    const unacknowledged = counts[k].proxy
      ? unacknowledgedInCut(parts[k], acked?.get(names[k]) ?? { ranges: new Map(), withoutOffsets: 0 })
      : undefined;
    counts[k] = {
      ...counts[k],
      ackedAtCut: r.ackedBefore[k],
      ...(unacknowledged !== undefined ? { unacknowledged } : {}),
      committed: stored[k].committed,
      s3Beyond: stored[k].beyond,
      sinkRunning,
      emulatorLive,
      ...(counts[k].proxy && proxyFlushLost !== undefined ? { proxyFlushLost } : {}),
    };
  }
  return counts;
}
