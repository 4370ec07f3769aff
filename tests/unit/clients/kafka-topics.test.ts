import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopicsReady } from '../../../src/clients/kafka-topics.ts';
import { PinpipeError } from '../../../src/errors.ts';

type Answer = Error | { name: string; partitions: { leader: number }[] }[];

/** An Admin whose metadata answers are played in order (the last one repeats). */
function fakeAdmin(
  answers: Answer[],
  offsetsFailuresAtFirst = 0,
): { admin: Admin; created: unknown[]; fetches: () => number } {
  const created: unknown[] = [];
  let offsetsFailures = offsetsFailuresAtFirst;
  let i = 0;
  const admin = {
    createTopics: async (o: unknown) => {
      created.push(o);
      return true;
    },
    fetchTopicOffsets: async () => {
      if (offsetsFailures-- > 0) throw notLeader;
      return [];
    },
    fetchTopicMetadata: async () => {
      const a = answers[Math.min(i++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return { topics: a };
    },
  } as unknown as Admin;
  return { admin, created, fetches: () => i };
}

const notLeader = Object.assign(new Error('This server is not the leader for that topic-partition'), {
  type: 'NOT_LEADER_FOR_PARTITION',
});
const unknownTopic = Object.assign(new Error('This server does not host this topic-partition'), {
  type: 'UNKNOWN_TOPIC_OR_PARTITION',
});

describe('createTopicsReady', () => {
  it('waits past UNKNOWN_TOPIC_OR_PARTITION and leaderless partitions until every partition has a leader', async () => {
    const { admin, created, fetches } = fakeAdmin([
      unknownTopic,
      [{ name: 't', partitions: [{ leader: 1 }, { leader: -1 }] }],
      [{ name: 't', partitions: [{ leader: 1 }] }],
      [{ name: 't', partitions: [{ leader: 1 }, { leader: 1 }] }],
    ]);
    await expect(createTopicsReady(admin, { topics: [{ topic: 't', numPartitions: 2 }] })).resolves.toBe(
      true,
    );
    expect(fetches()).toBe(4);
    expect(created).toEqual([{ topics: [{ topic: 't', numPartitions: 2 }], waitForLeaders: false }]);
  });

  it('waits until the leaders serve: offsets answered NOT_LEADER_FOR_PARTITION are read again', async () => {
    const { admin, fetches } = fakeAdmin([[{ name: 't', partitions: [{ leader: 1 }] }]], 2);
    await expect(createTopicsReady(admin, { topics: [{ topic: 't', numPartitions: 1 }] })).resolves.toBe(
      true,
    );
    expect(fetches()).toBe(3);
  });

  it('fails with KAFKA_UNAVAILABLE naming what it last saw when the deadline passes', async () => {
    const { admin } = fakeAdmin([unknownTopic]);
    const err = await createTopicsReady(admin, {
      topics: [{ topic: 't', numPartitions: 1 }],
      timeoutMs: 250,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('KAFKA_UNAVAILABLE');
    expect((err as PinpipeError).message).toContain(
      'Kafka created t but did not give every partition a leader within 0.25 s (last seen: This server does not host this topic-partition)',
    );
  });
});
