import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { consumeBack, JSON_V2, quietLogger, rawRequest } from './proxy-helpers.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';

/**
 * A topic created while the proxy runs is produced to at once: "topic not found" (a 404 the emulator
 * does not retry) is only answered from metadata fetched after the request arrived, never from a
 * cache that predates the topic.
 */
describe('REST proxy: a topic created while it runs', { timeout: 60_000 }, () => {
  const profile = testProfile();
  const topic = uniqueName('pinpipe-newtopic');
  let proxy: StartedProxy;
  const post = (i: number) =>
    rawRequest(`${proxy.url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: { i } }] }),
    });

  beforeAll(async () => {
    proxy = await startProxy({ profile, port: 0, logger: quietLogger() });
  });
  afterAll(async () => {
    await proxy?.close();
    const admin = createKafkaAdmin(profile);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  });

  it('answers 404 before the topic exists and 200 right after it is created', async () => {
    const before = await post(1);
    expect({ status: before.status, error_code: JSON.parse(before.body).error_code }).toEqual({
      status: 404,
      error_code: 40401,
    });
    const admin = createKafkaAdmin(profile);
    try {
      await createTopicsReady(admin, { topics: [{ topic, numPartitions: 1 }] });
    } finally {
      await admin.close();
    }
    const after = await post(2);
    expect(after.status, after.body).toBe(200);
    expect(JSON.parse(after.body)).toMatchObject({ offsets: [{ partition: 0, offset: 0 }] });
    expect((await consumeBack(profile, topic, 1)).map((m) => JSON.parse(m.value))).toEqual([{ i: 2 }]);
  });
});
