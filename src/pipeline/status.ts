import type { Profile } from '../config/schema.ts';
import { topicNames } from '../config/schema.ts';
import { createKafka } from '../clients/kafka.ts';
import { createS3 } from '../clients/s3.ts';
import { listKeys } from '../sink/read-back.ts';
import { describeError } from '../errors.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';
import { lastBatchSummary } from '../verify/collect.ts';
import { ledgerTotals } from '../verify/ledger.ts';

export interface TopicStatus {
  topic: string;
  /** Records in the Kafka log. */
  records: number | null;
  /** Records not yet committed by the sink's consumer group. */
  sinkLag: number | null;
  objects: number | null;
}

export interface PipelineStatus {
  profile: string;
  topics: Record<TopicKey, TopicStatus>;
  emulated: { runs: number; acknowledged: Record<TopicKey, number> };
  lastBatch: null | {
    generatedAt: string;
    runDate: string;
    rows: Record<string, number>;
    durationMs: number;
    outDir: string;
  };
  errors: string[];
}

/** `pinpipe status`: lag per topic, objects in S3 and the last batch; each part fails on its own. */
export async function pipelineStatus(profile: Profile): Promise<PipelineStatus> {
  const names = topicNames(profile);
  const errors: string[] = [];
  const topics = Object.fromEntries(
    TOPIC_KEYS.map((k) => [k, { topic: names[k], records: null, sinkLag: null, objects: null }]),
  ) as Record<TopicKey, TopicStatus>;

  const admin = createKafka(profile, { retry: { retries: 1 } }).admin();
  try {
    await admin.connect();
    const committed = await admin.fetchOffsets({
      groupId: profile.sink.groupId,
      topics: Object.values(names),
    });
    for (const k of TOPIC_KEYS) {
      const offsets = await admin.fetchTopicOffsets(names[k]);
      topics[k].records = offsets.reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
      const group = committed.find((c) => c.topic === names[k]);
      topics[k].sinkLag = offsets.reduce((a, p) => {
        const c = Number(group?.partitions.find((q) => q.partition === p.partition)?.offset ?? -1);
        return a + Number(p.high) - (c >= 0 ? c : Number(p.low));
      }, 0);
    }
  } catch (err) {
    errors.push(`Kafka: ${describeError(err)}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }

  const s3 = createS3(profile, { maxAttempts: 1 });
  try {
    for (const k of TOPIC_KEYS) {
      topics[k].objects = (
        await listKeys(s3, profile.s3.bucket, `${profile.s3.topicsDir}/${names[k]}/`)
      ).length;
    }
  } catch (err) {
    errors.push(`S3: ${describeError(err)}`);
  } finally {
    s3.destroy();
  }

  const b = lastBatchSummary(profile);
  return {
    profile: profile.name,
    topics,
    emulated: ledgerTotals(profile),
    lastBatch: b
      ? {
          generatedAt: b.generatedAt,
          runDate: b.runDate,
          rows: b.rows,
          durationMs: b.durationMs,
          outDir: b.outDir,
        }
      : null,
    errors,
  };
}

export function formatStatus(s: PipelineStatus): string {
  const n = (v: number | null) => (v === null ? '?' : String(v));
  const lines = [
    `profile ${s.profile}`,
    'topic                        kafka records  sink lag  S3 objects  emulated',
  ];
  for (const k of TOPIC_KEYS) {
    const t = s.topics[k];
    lines.push(
      `${t.topic.padEnd(28)} ${n(t.records).padStart(13)} ${n(t.sinkLag).padStart(9)} ${n(t.objects).padStart(11)} ${String(s.emulated.acknowledged[k]).padStart(9)}`,
    );
  }
  lines.push(
    s.lastBatch
      ? `last batch: ${s.lastBatch.generatedAt} (run date ${s.lastBatch.runDate}, ${(s.lastBatch.durationMs / 1000).toFixed(1)} s) ` +
          `clean rows pin ${s.lastBatch.rows.pin}, geo ${s.lastBatch.rows.geo}, user ${s.lastBatch.rows.user} → ${s.lastBatch.outDir}`
      : 'last batch: none yet (pinpipe batch)',
  );
  for (const e of s.errors) lines.push(`unavailable: ${e}`);
  return lines.join('\n');
}
