import type { Profile } from '../src/config/index.ts';
import { createKafkaAdmin } from '../src/clients/kafka.ts';
import { topicOffsets } from '../src/clients/kafka-topics.ts';
import { readOffsetWindows, type ReadRecord } from '../src/clients/kafka-read.ts';

/** One record of a topic's log (the shape src/sink's compareWithLog takes). */
export interface KafkaLogRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

/** A topic's watermarks, summed: how many records its log holds. */
export async function kafkaLogSize(profile: Profile, topic: string): Promise<number> {
  const admin = createKafkaAdmin(profile);
  try {
    return (await topicOffsets(admin, topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.close();
  }
}

/**
 * Every record of a topic, from each partition's low to its high watermark as read first (records
 * written meanwhile are not waited for), with a throw-away consumer group. Fails after `timeoutMs`.
 */
export async function readKafkaLog(
  profile: Profile,
  topic: string,
  timeoutMs = 60_000,
): Promise<KafkaLogRecord[]> {
  const admin = createKafkaAdmin(profile);
  let windows: Array<{ partition: number; from: number; to: number }>;
  try {
    windows = (await topicOffsets(admin, topic)).map((p) => ({
      partition: p.partition,
      from: Number(p.low),
      to: Number(p.high),
    }));
  } finally {
    await admin.close();
  }
  const out: KafkaLogRecord[] = [];
  const { partial } = await readOffsetWindows(profile, topic, windows, {
    timeoutMs,
    onRecord: (r: ReadRecord) => {
      out.push({
        topic,
        partition: r.partition,
        offset: r.offset,
        key: r.key ? r.key.toString('utf8') : null,
        value: r.value ? r.value.toString('utf8') : null,
      });
    },
  });
  if (partial) throw new Error(`reading ${topic} back timed out after ${out.length} records`);
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
