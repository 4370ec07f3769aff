import type { Admin } from '@platformatic/kafka';
import { setTimeout as sleep } from 'node:timers/promises';
import { PinpipeError } from '../errors.ts';
import { kafkaProtocolError } from './kafka-errors.ts';

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: Array<{ name: string; value: string }>;
}

export interface CreateTopicsOptions {
  topics: TopicSpec[];
  /** How long to wait for every partition to have a leader. */
  timeoutMs?: number;
}

/**
 * Creates topics (each that does not exist yet) and resolves once every partition of each has a
 * leader that serves. Still needed with @platformatic/kafka: its createTopics resolves when the
 * controller has accepted the topics, and under KRaft the brokers learn of them asynchronously, so a
 * produce or a metadata request right after can still see UNKNOWN_TOPIC_OR_PARTITION or a partition
 * without a leader. Returns true when at least one topic was created, false when all already existed.
 */
export async function createTopicsReady(admin: Admin, opts: CreateTopicsOptions): Promise<boolean> {
  let created = false;
  for (const t of opts.topics) {
    try {
      await admin.createTopics({
        topics: [t.topic],
        partitions: t.numPartitions ?? -1,
        replicas: t.replicationFactor ?? -1,
        configs: (t.configEntries ?? []).map((c) => ({ name: c.name, value: c.value })),
      });
      created = true;
    } catch (err) {
      if (!kafkaProtocolError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
    }
  }
  const want = new Map(opts.topics.map((t) => [t.topic, t.numPartitions ?? -1]));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let seen: string;
  for (;;) {
    try {
      const md = await admin.metadata({ topics: [...want.keys()], forceUpdate: true });
      const pending = [...want].filter(([name, n]) => {
        const t = md.topics.get(name);
        return (
          !t ||
          t.partitions.length === 0 ||
          (n > 0 && t.partitions.length < n) ||
          t.partitions.some((p) => p === undefined || p.leader < 0)
        );
      });
      if (pending.length === 0) {
        // Leaders in the metadata are not yet leaders that serve: a partition whose leadership the
        // broker has not applied answers NOT_LEADER_OR_FOLLOWER. Reading the end offsets proves it.
        await admin.listOffsets({
          topics: [...want.keys()].map((name) => ({
            name,
            partitions: md.topics
              .get(name)!
              .partitions.map((_, partitionIndex) => ({ partitionIndex, timestamp: -1n })),
          })),
        });
        return created;
      }
      seen = `${pending.map(([name]) => name).join(', ')} without a leader for every partition`;
    } catch (err) {
      seen = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new PinpipeError(
        'KAFKA_UNAVAILABLE',
        `Kafka created ${[...want.keys()].join(', ')} but did not give every partition a leader within ` +
          `${timeoutMs / 1000} s (last seen: ${seen}). Check the broker's log.`,
      );
    }
    await sleep(100);
  }
}

/** Low (earliest) and high (next offset to be written) watermark of one partition, as decimal strings. */
export interface PartitionWatermarks {
  partition: number;
  low: string;
  high: string;
}

/** Every partition's watermarks of a topic, sorted by partition (throws when the topic is unknown). */
export async function topicOffsets(admin: Admin, topic: string): Promise<PartitionWatermarks[]> {
  const md = await admin.metadata({ topics: [topic] });
  const t = md.topics.get(topic);
  if (!t) throw new PinpipeError('KAFKA_UNAVAILABLE', `Kafka has no topic ${topic}.`);
  const at = async (timestamp: bigint) => {
    const [answer] = await admin.listOffsets({
      topics: [
        { name: topic, partitions: t.partitions.map((_, partitionIndex) => ({ partitionIndex, timestamp })) },
      ],
    });
    return new Map((answer?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
  };
  const [low, high] = [await at(-2n), await at(-1n)];
  return t.partitions.map((_, partition) => ({
    partition,
    low: String(low.get(partition) ?? 0n),
    high: String(high.get(partition) ?? 0n),
  }));
}

/** A consumer group's committed offset per partition of the given topics ('-1' where it has none). */
export async function groupOffsets(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  return topics.map((topic) => ({
    topic,
    partitions: (group?.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => ({
      partition: p.partitionIndex,
      offset: String(p.committedOffset),
    })),
  }));
}
