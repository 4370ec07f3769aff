import fs from 'node:fs';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Profile } from '../config/schema.ts';
import { topicNames } from '../config/schema.ts';
import type { BatchSummary } from '../batch/types.ts';
import { dedupeByOffset, listKeys, readStoredRecords } from '../sink/read-back.ts';
import { SINK_DEFAULTS } from '../sink/options.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';
import { ledgerTotals } from './ledger.ts';
import type { TopicCounts } from './reconcile.ts';

/** Records in each topic's log: high − low watermark, summed over partitions. */
export async function kafkaCounts(admin: Admin, profile: Profile): Promise<Record<TopicKey, number>> {
  const names = topicNames(profile);
  const out = { pin: 0, geo: 0, user: 0 };
  for (const k of TOPIC_KEYS) {
    try {
      const offsets = await admin.fetchTopicOffsets(names[k]);
      out[k] = offsets.reduce((a, p) => a + (Number(p.high) - Number(p.low)), 0);
    } catch (err) {
      throw new PinpipeError(
        'KAFKA_UNAVAILABLE',
        `Cannot read the offsets of ${names[k]}: ${describeError(err)}.`,
        {
          cause: err,
        },
      );
    }
  }
  return out;
}

/** Distinct stored offsets under topics/<topic>/ and the records the sink sent to errors/<topic>/. */
export async function s3Counts(
  s3: S3Client,
  profile: Profile,
): Promise<Record<TopicKey, { records: number; errors: number }>> {
  const names = topicNames(profile);
  const out = {} as Record<TopicKey, { records: number; errors: number }>;
  for (const k of TOPIC_KEYS) {
    try {
      const stored = await readStoredRecords(s3, profile.s3.bucket, `${profile.s3.topicsDir}/${names[k]}/`);
      const errors = await listKeys(s3, profile.s3.bucket, `${SINK_DEFAULTS.errorsDir}/${names[k]}/`);
      out[k] = { records: dedupeByOffset(stored.records).records.length, errors: errors.length };
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

/** The last batch's summary (default results folder), or undefined when the batch never ran. */
export function lastBatchSummary(profile: Profile, resultsDir?: string): BatchSummary | undefined {
  const file = path.join(resultsDir ?? path.join(profile.batch.workDir, 'results'), 'summary.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as BatchSummary;
}

export function topicCounts(
  profile: Profile,
  kafka: Record<TopicKey, number>,
  s3: Record<TopicKey, { records: number; errors: number }>,
  batch: BatchSummary | undefined,
): Record<TopicKey, TopicCounts> {
  const ledger = ledgerTotals(profile);
  const names = topicNames(profile);
  const out = {} as Record<TopicKey, TopicCounts>;
  for (const k of TOPIC_KEYS) {
    out[k] = {
      topic: names[k],
      sent: ledger.runs > 0 ? ledger.acknowledged[k] : null,
      kafka: kafka[k],
      s3: s3[k].records,
      s3Errors: s3[k].errors,
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
