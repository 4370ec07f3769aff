import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaService } from '../../sandbox/kafka/kafka.ts';
import type { SandboxService } from '../../sandbox/lib/service.ts';
import { createKafka } from '../../src/clients/kafka.ts';
import { readEnv } from '../../src/config/env.ts';
import type { Profile } from '../../src/config/schema.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { consumeBack, JSON_V2, quietLogger, rawRequest } from './proxy-helpers.ts';
import { freePort } from '../helpers/ports.ts';

/**
 * Kafka stopped → the proxy answers 5xx (50003) within a bounded time instead of hanging; Kafka back →
 * the same proxy process produces again. Runs against a PRIVATE broker on free ports with its
 * own data folder, never the shared one.
 */
const TOPIC = 'pinpipe-private-down';
/** The longest we accept for an answer while Kafka is down (send deadline 4 s + metadata + slack). */
const ANSWER_BOUND_MS = 20_000;

describe('REST proxy with Kafka stopped and restarted (private broker)', { timeout: 180_000 }, () => {
  let dir: string;
  let profile: Profile;
  let broker: SandboxService;
  let proxy: StartedProxy;
  const post = (i: number) =>
    rawRequest(`${proxy.url}/topics/${TOPIC}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: { i } }] }),
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-kafka-down-'));
    const [port, ctl] = [await freePort(), await freePort()];
    profile = testProfile((p) => ({
      ...p,
      kafka: { ...p.kafka, brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 1000 },
      sandbox: { ...p.sandbox, dir, kafkaControllerPort: ctl, kafkaSaslPort: 0, kafkaHeapMb: 256 },
    }));
    broker = kafkaService(profile, () => undefined, readEnv().cacheDir);
    await broker.start();
    const admin = createKafka(profile).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3 }] });
    await admin.disconnect();
    proxy = await startProxy({ profile, port: 0, logger: quietLogger(), sendTimeoutMs: 4000 });
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    await broker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('produces while Kafka is up, answers 503/50003 promptly while it is down, and recovers without a restart', async () => {
    expect((await post(1)).status).toBe(200);

    await broker.stop();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const r = await post(100 + i);
      const took = Date.now() - t0;
      expect(r.status, r.body).toBeGreaterThanOrEqual(500);
      const body = JSON.parse(r.body) as { error_code: number; message: string };
      expect([50002, 50003]).toContain(body.error_code);
      expect(took).toBeLessThan(ANSWER_BOUND_MS);
      times.push(took);
    }
    const health = await rawRequest(`${proxy.url}/health`, {});
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body).error_code).toBe(50003);
    // topic lookups still answer (from the cache) rather than hanging
    expect(
      (
        await rawRequest(`${proxy.url}/topics/${TOPIC}-unknown`, {
          method: 'POST',
          headers: { 'content-type': JSON_V2 },
          body: '{"records":[{"value":1}]}',
        })
      ).status,
    ).toBeGreaterThanOrEqual(404);

    await broker.start();
    let recovered = false;
    const deadline = Date.now() + 60_000;
    let i = 0;
    while (!recovered && Date.now() < deadline) {
      const r = await post(1000 + i++);
      if (r.status === 200) recovered = true;
      else await new Promise((res) => setTimeout(res, 500));
    }
    expect(recovered).toBe(true);
    process.stderr.write(
      `[proxy-kafka-down] answers while down: ${times.join(', ')} ms; recovered after ${i} attempt(s)\n`,
    );
    expect((await rawRequest(`${proxy.url}/health`, {})).status).toBe(200);
    expect((await post(2)).status).toBe(200);
    const back = (await consumeBack(profile, TOPIC, 3)).map((m) => (JSON.parse(m.value) as { i: number }).i);
    expect(back).toEqual(expect.arrayContaining([1, 2, 1000 + i - 1]));
  });

  it('answers 503 within the send deadline when the broker hangs (SIGSTOP), and recovers on SIGCONT', async () => {
    const pid = broker.runningPid();
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGSTOP');
    try {
      const t0 = Date.now();
      const r = await post(3);
      const took = Date.now() - t0;
      expect(r.status, r.body).toBe(503);
      expect(JSON.parse(r.body).error_code).toBe(50003);
      expect(took).toBeLessThan(ANSWER_BOUND_MS);
      process.stderr.write(`[proxy-kafka-down] answer while the broker hangs: ${took} ms\n`);
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    let status = 0;
    const deadline = Date.now() + 60_000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await post(4)).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 500));
    }
    expect(status).toBe(200);
  });
});
