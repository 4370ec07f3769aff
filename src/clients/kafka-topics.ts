import type { Admin, ITopicConfig } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PinpipeError } from '../errors.ts';

export interface CreateTopicsOptions {
  topics: ITopicConfig[];
  /** How long to wait for every partition to have a leader. */
  timeoutMs?: number;
}

/**
 * Creates topics and resolves once every partition of each has a leader: what kafkajs's
 * `createTopics({ waitForLeaders: true })` promises, except that kafkajs retries only
 * LEADER_NOT_AVAILABLE and fails with UNKNOWN_TOPIC_OR_PARTITION when the broker answering the
 * metadata request has not yet learned of the new topic (KRaft propagates it asynchronously), and
 * reads every partition's offsets, which fails until the leaders serve. Returns
 * kafkajs's answer: false when the topics already existed.
 */
export async function createTopicsReady(admin: Admin, opts: CreateTopicsOptions): Promise<boolean> {
  const created = await admin.createTopics({ topics: opts.topics, waitForLeaders: false });
  const want = new Map(opts.topics.map((t) => [t.topic, t.numPartitions ?? -1]));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let seen: string;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...want.keys()] });
      const pending = topics.filter((t) => {
        const n = want.get(t.name) ?? -1;
        return (
          (n > 0 && t.partitions.length < n) ||
          t.partitions.length === 0 ||
          t.partitions.some((p) => p.leader < 0)
        );
      });
      if (pending.length === 0 && topics.length === want.size) {
        // Leaders in the metadata are not yet leaders that serve: a partition whose leadership the
        // broker has not applied answers NOT_LEADER_FOR_PARTITION. Reading the offsets proves it.
        for (const t of want.keys()) await admin.fetchTopicOffsets(t);
        return created;
      }
      seen = `${pending.map((t) => t.name).join(', ') || 'some topics'} without a leader for every partition`;
    } catch (err) {
      seen = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new PinpipeError(
        'KAFKA_UNAVAILABLE',
        `Kafka created ${[...want.keys()].join(', ')} but did not give every partition a leader within ` +
          `${(opts.timeoutMs ?? 30_000) / 1000} s (last seen: ${seen}). Check the broker's log.`,
      );
    }
    await sleep(100);
  }
}
