import { producerSendsChannel, ProduceAcks } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaProducer, type KafkaProducerOptions } from '../../../src/clients/kafka.ts';
import { testProfile } from '../../helpers/profile.ts';

/** The acks each send goes with, as the library announces the send (before connecting). */
const seen: unknown[] = [];
const onSend = (ctx: unknown) => seen.push((ctx as { options: { acks?: unknown } }).options.acks);
producerSendsChannel.start.subscribe(onSend);
afterEach(() => {
  seen.length = 0;
});

/** Sends one record to a port nobody listens on; returns the acks the send went with. */
async function acksOf(producerOptions: KafkaProducerOptions, sendAcks?: number): Promise<unknown> {
  const profile = testProfile((p) => ({ ...p, kafka: { ...p.kafka, brokers: ['127.0.0.1:1'] } }));
  const producer = createKafkaProducer(profile, { retries: 0, ...producerOptions });
  try {
    const messages = [{ topic: 't', value: Buffer.from('v'), partition: 0 }];
    await expect(
      sendAcks === undefined ? producer.send({ messages }) : producer.send({ messages, acks: sendAcks }),
    ).rejects.toThrow();
  } finally {
    await producer.close().catch(() => undefined);
  }
  expect(seen).toHaveLength(1);
  return seen[0];
}

describe('createKafkaProducer', () => {
  it('sends with acks=all when the send names no acks (the library alone would send acks=1)', async () => {
    expect(await acksOf({})).toBe(ProduceAcks.ALL);
  });

  it("keeps the acks of the producer's options, and those a send names", async () => {
    expect(await acksOf({ acks: ProduceAcks.LEADER })).toBe(ProduceAcks.LEADER);
    seen.length = 0;
    expect(await acksOf({}, ProduceAcks.LEADER)).toBe(ProduceAcks.LEADER);
  });
});
