import { ResponseError, type Admin } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../src/config/schema.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { kafkaWatermarks } from '../../../src/verify/collect.ts';
import { shippedProfile } from '../../helpers/profile.ts';

/** A broker's ListOffsets answer with error `code` for partition 0, as the library reports it. */
function protocolError(code: number): Error {
  return new ResponseError(2, 9, { '/topics/0/partitions/0': [code, null] }, {});
}

/** One partition whose log starts at 2 and ends at 7; the first ListOffsets requests fail with `failures`. */
function admin(failures: Error[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  return {
    admin: {
      metadata: async ({ topics }: { topics: string[] }) => ({
        topics: new Map(topics.map((t) => [t, { partitions: [{ leader: 1 }] }])),
      }),
      listOffsets: async ({
        topics,
      }: {
        topics: Array<{ name: string; partitions: Array<{ timestamp: bigint }> }>;
      }) => {
        const fail = failures[calls++];
        if (fail) throw fail;
        const offset = topics[0]!.partitions[0]!.timestamp === -2n ? 2n : 7n;
        return [{ name: topics[0]!.name, partitions: [{ partitionIndex: 0, offset }] }];
      },
    } as unknown as Admin,
    calls: () => calls,
  };
}

describe('kafkaWatermarks', () => {
  const profile = shippedProfile();

  it('reads again after a retriable refusal (a leader not serving yet)', async () => {
    const a = admin([protocolError(6)]);
    const w = await kafkaWatermarks(a.admin, profile);
    expect(w.pin).toEqual([{ partition: 0, low: 2, high: 7 }]);
    expect(a.calls()).toBe(7); // pin: a refusal, then its low and high; geo and user: low and high
  });

  it('fails at once with KAFKA_UNAVAILABLE naming the topic on a non-retriable refusal', async () => {
    const a = admin([protocolError(29)]);
    const err = await kafkaWatermarks(a.admin, profile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('KAFKA_UNAVAILABLE');
    expect((err as PinpipeError).message).toBe(
      `Cannot read the offsets of ${topicNames(profile).pin}: ` +
        'Received response with error while executing API ListOffsets(v9): Topic authorization failed.',
    );
    expect(a.calls()).toBe(1);
  });
});
