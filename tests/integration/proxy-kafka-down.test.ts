import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaService } from '../../sandbox/kafka/kafka.ts';
import type { SandboxService } from '../../sandbox/lib/service.ts';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import { readEnv, type Profile } from '../../src/config/index.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { JSON_V2, quietLogger, rawExchange, rawRequest } from './proxy-helpers.ts';
import { freePort } from '../../testkit/ports.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';
import { readKafkaLog } from '../../testkit/kafka-log.ts';
import { uniqueName } from '../../testkit/names.ts';

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
  const post = (i: number, mark?: string) =>
    rawRequest(`${proxy.url}/topics/${TOPIC}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: { i, mark } }] }),
    });
  /** Every record of a test (`mark`) that was sent, with the phase it was sent in and the answer. */
  type Sent = {
    i: number;
    phase: 'up' | 'down' | 'recovering';
    status: number;
    at?: { partition: number; offset: number };
  };
  const sender = (mark: string, sent: Sent[]) => async (phase: Sent['phase']) => {
    const i = sent.length;
    const r = await post(i, mark);
    const at =
      r.status === 200 ? (JSON.parse(r.body) as { offsets: Array<Sent['at']> }).offsets[0] : undefined;
    sent.push({
      i,
      phase,
      status: r.status,
      ...(at ? { at: { partition: at.partition, offset: at.offset } } : {}),
    });
    return r;
  };

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
    const admin = createKafkaAdmin(profile);
    await createTopicsReady(admin, { topics: [{ topic: TOPIC, numPartitions: 3 }] });
    await admin.close();
    proxy = await startProxy({ profile, port: 0, logger: quietLogger(), sendTimeoutMs: 4000 });
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    await broker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('produces while Kafka is up, answers 503/50003 promptly while it is down, and recovers without a restart', async () => {
    const mark = uniqueName('kafka-down');
    const sent: Sent[] = [];
    const send = sender(mark, sent);
    // Kafka is up: the broker may still be settling after another test of this file (any order)
    await waitFor(async () => (await send('up')).status, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'a produce to succeed with Kafka up',
      done: (status) => status === 200,
    });

    await broker.stop();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const r = await send('down');
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
    let attempts = 0;
    await waitFor(async () => (attempts++, await send('recovering')).status, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'a produce to succeed after Kafka restarted',
      done: (status) => status === 200,
    });
    process.stderr.write(
      `[proxy-kafka-down] answers while down: ${times.join(', ')} ms; recovered after ${attempts} attempt(s)\n`,
    );
    expect((await rawRequest(`${proxy.url}/health`, {})).status).toBe(200);
    expect((await send('up')).status).toBe(200);

    // The topic read back whole, record by record: each 200 is in the log once, at the partition and
    // offset its answer gave; each record answered 503 while the broker was stopped is absent; one
    // answered 503 while it came back (retriable: it may have been sent) is there at most once.
    const log = await readKafkaLog(profile, TOPIC);
    const found = new Map<number, Array<{ partition: number; offset: number }>>();
    for (const r of log) {
      const v = JSON.parse(r.value!) as { i: number; mark?: string };
      if (v.mark !== mark) continue;
      found.set(v.i, [...(found.get(v.i) ?? []), { partition: r.partition, offset: r.offset }]);
    }
    expect(
      [...found.keys()].filter((i) => i >= sent.length),
      'records never sent',
    ).toEqual([]);
    expect(sent.filter((s) => s.phase === 'down').map((s) => s.status)).toEqual([503, 503, 503]);
    for (const s of sent) {
      const where = found.get(s.i) ?? [];
      if (s.status === 200) expect(where, `record ${s.i} (answered 200)`).toEqual([s.at]);
      else if (s.phase === 'down') expect(where, `record ${s.i} (503 while Kafka was stopped)`).toEqual([]);
      else expect(where.length, `record ${s.i} (503 while Kafka came back)`).toBeLessThanOrEqual(1);
    }
    expect(sent.filter((s) => s.status === 200).length).toBeGreaterThanOrEqual(3);
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
