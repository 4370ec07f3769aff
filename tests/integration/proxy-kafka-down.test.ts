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
import { consumeBack, JSON_V2, quietLogger, rawExchange, rawRequest } from './proxy-helpers.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';

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
    await createTopicsReady(admin, { topics: [{ topic: TOPIC, numPartitions: 3 }] });
    await admin.disconnect();
    proxy = await startProxy({ profile, port: 0, logger: quietLogger(), sendTimeoutMs: 4000 });
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    await broker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('produces while Kafka is up, answers 503/50003 promptly while it is down, and recovers without a restart', async () => {
    // Kafka is up: the broker may still be settling after another test of this file (any order)
    await waitFor(async () => (await post(1)).status, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'a produce to succeed with Kafka up',
      done: (status) => status === 200,
    });

    await broker.stop();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const r = await post(100 + i);
      const took = Date.now() - t0;
      const body = JSON.parse(r.body) as { error_code: number; message: string };
      // a stopped broker is retriable: 503 + 50003, never the non-retriable 500 + 50002
      expect({ status: r.status, error_code: body.error_code }, r.body).toEqual({
        status: 503,
        error_code: 50003,
      });
      expect(took).toBeLessThan(ANSWER_BOUND_MS);
      times.push(took);
      // A generic message and the request id; the broker's address stays in the log.
      expect(r.headers['retry-after']).toBe('1');
      expect(body).toEqual({
        error_code: 50003,
        message: `Kafka error (retriable): Kafka is unavailable, retry later. (request id ${r.headers['x-request-id']})`,
        request_id: r.headers['x-request-id'],
      });
    }
    // Kafka is known to be down: a 900 KB request is answered 503 before its body is read (never sent here).
    const early = await rawExchange(
      proxy.url,
      `POST /topics/${TOPIC} HTTP/1.1\r\nHost: ${new URL(proxy.url).host}\r\nContent-Type: ${JSON_V2}\r\nContent-Length: 900000\r\n\r\n`,
    );
    expect(early.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(early.text).toMatch(/\r\nRetry-After: 1\r\n/i);
    const health = await rawRequest(`${proxy.url}/health`, {});
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body).error_code).toBe(50003);
    expect(health.body).not.toContain(profile.kafka.brokers[0]!);
    expect(JSON.parse(health.body).request_id).toBe(health.headers['x-request-id']);
    // an unknown topic cannot be looked up while Kafka is down: 503 + 50003 rather than a hang
    const unknown = await rawRequest(`${proxy.url}/topics/${TOPIC}-unknown`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: '{"records":[{"value":1}]}',
    });
    expect({ status: unknown.status, error_code: JSON.parse(unknown.body).error_code }, unknown.body).toEqual(
      {
        status: 503,
        error_code: 50003,
      },
    );

    await broker.start();
    let i = 0;
    await waitFor(async () => (await post(1000 + i++)).status, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'a produce to succeed after Kafka restarted',
      done: (status) => status === 200,
    });
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
    await waitFor(async () => (await post(4)).status, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'a produce to succeed after SIGCONT',
      done: (status) => status === 200,
    });
  });
});
