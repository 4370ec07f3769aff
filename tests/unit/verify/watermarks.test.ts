import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../src/config/schema.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { kafkaWatermarks } from '../../../src/verify/collect.ts';
import { shippedProfile } from '../../helpers/profile.ts';

/** A KafkaJSProtocolError as kafkajs builds it: a name, a type and the retriable flag. */
function protocolError(type: string, retriable: boolean): Error {
  return Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
}

function admin(failures: Error[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  return {
    admin: {
      fetchTopicOffsets: async () => {
        const fail = failures[calls++];
        if (fail) throw fail;
        return [{ partition: 0, offset: '7', high: '7', low: '2' }];
      },
    } as unknown as Admin,
    calls: () => calls,
  };
}

describe('kafkaWatermarks', () => {
  const profile = shippedProfile();

  it('reads again after a retriable refusal (a leader not serving yet)', async () => {
    const a = admin([protocolError('NOT_LEADER_FOR_PARTITION', true)]);
    const w = await kafkaWatermarks(a.admin, profile);
    expect(w.pin).toEqual([{ partition: 0, low: 2, high: 7 }]);
    expect(a.calls()).toBe(4); // pin twice, then geo and user once each
  });

  it('fails at once with KAFKA_UNAVAILABLE naming the topic on a non-retriable refusal', async () => {
    const a = admin([protocolError('TOPIC_AUTHORIZATION_FAILED', false)]);
    const err = await kafkaWatermarks(a.admin, profile).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('KAFKA_UNAVAILABLE');
    expect((err as PinpipeError).message).toBe(
      `Cannot read the offsets of ${topicNames(profile).pin}: TOPIC_AUTHORIZATION_FAILED.`,
    );
    expect(a.calls()).toBe(1);
  });
});
