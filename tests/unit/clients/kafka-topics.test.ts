import { ResponseError, type Admin } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { createTopicsReady } from '../../../src/clients/kafka-topics.ts';
import { PinpipeError } from '../../../src/errors.ts';

type Answer = Error | { name: string; partitions: { leader: number }[] }[];

/** An Admin whose metadata answers are played in order (the last one repeats). */
function fakeAdmin(
  answers: Answer[],
  offsetsFailuresAtFirst = 0,
  existing: string[] = [],
): { admin: Admin; created: unknown[]; fetches: () => number } {
  const created: unknown[] = [];
  let offsetsFailures = offsetsFailuresAtFirst;
  let i = 0;
  const admin = {
    createTopics: async (o: { topics: string[] }) => {
      if (existing.includes(o.topics[0]!)) throw brokerSays(36);
      created.push(o);
      return [];
    },
    listOffsets: async () => {
      if (offsetsFailures-- > 0) throw brokerSays(6);
      return [];
    },
    metadata: async () => {
      const a = answers[Math.min(i++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return { topics: new Map(a.map((t) => [t.name, { partitions: t.partitions }])) };
    },
  } as unknown as Admin;
  return { admin, created, fetches: () => i };
}

/** A broker's answer with error `code` for one partition (CreateTopics / ListOffsets / Metadata). */
const brokerSays = (code: number) => new ResponseError(3, 12, { '/topics/0': [code, null] }, {});
const unknownTopic = brokerSays(3);

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
    expect(created).toEqual([{ topics: ['t'], partitions: 2, replicas: -1, configs: [] }]);
  });

  it('waits until the leaders serve: offsets answered NOT_LEADER_OR_FOLLOWER are read again', async () => {
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
      'Kafka created t but did not give every partition a leader within 0.25 s (last seen: Received response with error while executing API',
    );
  });

  it('a topic that already exists is not an error: false when none was created', async () => {
    const { admin, created } = fakeAdmin([[{ name: 't', partitions: [{ leader: 1 }] }]], 0, ['t']);
    await expect(createTopicsReady(admin, { topics: [{ topic: 't', numPartitions: 1 }] })).resolves.toBe(
      false,
    );
    expect(created).toEqual([]);
  });
});
