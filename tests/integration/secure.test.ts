import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafkaAdmin,
  createKafkaProducer,
  createS3,
  type KafkaAdmin as Admin,
} from '../../src/clients/index.ts';
import { kafkaFailure } from '../../src/clients/kafka-auth.ts';
import { unsecuredJws } from '../../src/clients/kafka-oauth.ts';
import { loadProfile, topicNames, type Profile } from '../../src/config/index.ts';
import { isPinpipeError, PinpipeError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { runEmulator } from '../../src/emulator/index.ts';
import { runDoctor } from '../../src/doctor/index.ts';
import { startProxy } from '../../src/proxy/index.ts';
import { listKeys, readStoredRecords, runSink } from '../../src/sink/index.ts';
import { deletePrefix } from '../../testkit/sink-crash.ts';
import { uniqueName } from '../../testkit/names.ts';
import { emulatorSource } from './emulator-fixture.ts';
import { createTopicsReady, topicOffsets } from '../../src/clients/kafka-topics.ts';

/**
 * The whole path over the sandbox broker's SASL_PLAINTEXT + OAUTHBEARER listener (9094),
 * with profiles/local-secure.yaml and unique topics, group and S3 prefix; then clients with no token,
 * a token without the "pinpipe" scope, or an expired token are refused with a message naming
 * authentication, and nothing is lost or half-written.
 */
const base = loadProfile('local-secure').profile;
const secure: Profile = structuredClone(base);
// the SASL listener of this sandbox, also when its ports were moved (PINPIPE_KAFKA__BROKERS then names
// the plaintext listener)
secure.kafka.brokers = [`127.0.0.1:${secure.sandbox.kafkaSaslPort}`];
secure.pipelineId = uniqueName('sec');
secure.sink.groupId = uniqueName('secure-sink-group');
const topics = Object.values(topicNames(secure));
const prefix = uniqueName('secure-prefix');
const logger = createLogger('warn');
const s3 = createS3(secure);
let admin: Admin;
const TOKEN_VAR = 'PINPIPE_TEST_SECURE_TOKEN';
/** A compact JWS (header.payload.signature, base64url; the unsecured one has an empty signature). */
const JWS = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
/** local-secure requires the proxy's API key (proxy.apiKeyEnv), as the AWS profile does. */
const KEY_VAR = secure.proxy.apiKeyEnv!;
const API_KEY = 'secure-test-api-key';
const keyBefore = process.env[KEY_VAR];
process.env[KEY_VAR] = API_KEY;

/** The same profile with another token: the broker must refuse it. */
function withToken(how: 'wrong-scope' | 'expired' | 'no-sasl'): Profile {
  const p = structuredClone(secure);
  if (how === 'wrong-scope') p.kafka.security.scope = 'other';
  if (how === 'expired') {
    process.env[TOKEN_VAR] = unsecuredJws({
      sub: 'pinpipe-client',
      scope: ['pinpipe'],
      lifetimeMs: 60_000,
      nowMs: Date.now() - 3_600_000,
    }).token;
    p.kafka.security.tokenEnv = TOKEN_VAR;
  }
  if (how === 'no-sasl') p.kafka.security = { ...p.kafka.security, mode: 'none' };
  return p;
}

async function highWatermarks(): Promise<number> {
  let total = 0;
  for (const t of topics) {
    for (const o of await topicOffsets(admin, t)) total += Number(o.high);
  }
  return total;
}

beforeAll(async () => {
  // The admin itself authenticates over OAUTHBEARER: topic creation is the first secured call.
  admin = createKafkaAdmin(secure);
  await createTopicsReady(admin, {
    topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
  });
});

afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.deleteGroups({ groups: [secure.sink.groupId] }).catch(() => undefined);
  await admin.close();
  await deletePrefix(s3, secure.s3.bucket, `${prefix}/`).catch(() => 0);
  s3.destroy();
  delete process.env[TOKEN_VAR];
  if (keyBefore === undefined) delete process.env[KEY_VAR];
  else process.env[KEY_VAR] = keyBefore;
});

describe('the secured path over SASL/OAUTHBEARER (local-secure)', { timeout: 110_000 }, () => {
  let acknowledged = 0;
  let perTopic: Record<string, number> = {};
  let emu: Awaited<ReturnType<typeof runEmulator>>;
  let sink: Awaited<ReturnType<typeof runSink>>;
  let watermarksAfterEmulate = 0;

  // The delivery every test of this block starts from: emulate → proxy → Kafka, then one sink drain.
  beforeAll(async () => {
    await using source = await emulatorSource(secure, 500);
    const profile = source.profile;
    await using proxy = await startProxy({ profile, host: '127.0.0.1', port: 0, logger });
    emu = await runEmulator({ profile, url: proxy.url, count: 60, seed: 10, concurrency: 4, batch: 5 });
    perTopic = Object.fromEntries(Object.values(emu.topics).map((t) => [t.topic, t.acknowledged]));
    acknowledged = emu.records.acknowledged;
    watermarksAfterEmulate = await highWatermarks();
    sink = await runSink({ profile, prefix, drain: true, flushSize: 25, logger, progressIntervalMs: 0 });
  }, 110_000);

  it('emulate → proxy → Kafka → sink → S3: every acknowledged record is delivered', async () => {
    const summaries = Object.values(emu.topics);
    expect(summaries.map((t) => t.topic).sort()).toEqual([...topics].sort());
    expect(emu.records.failed).toBe(0);
    expect(acknowledged).toBe(180); // 60 posts × 3 topics (seed 10 draws no ind a table lacks)
    expect(watermarksAfterEmulate).toBe(acknowledged);
    expect(sink).toMatchObject({ stoppedBy: 'drain', recordsWritten: acknowledged, lag: 0 });
    const stored = await readStoredRecords(s3, secure.s3.bucket, `${prefix}/`);
    expect(stored.records).toHaveLength(acknowledged);
    for (const [topic, n] of Object.entries(perTopic)) {
      expect(stored.records.filter((r) => r.topic === topic)).toHaveLength(n);
    }
    expect(new Set(stored.records.map((r) => `${r.topic}/${r.partition}/${r.offset}`)).size).toBe(
      acknowledged,
    );
    process.stderr.write(
      `[secure] ${emu.posts} posts, ${acknowledged} records acknowledged by the proxy over SASL/OAUTHBEARER, ` +
        `${sink.recordsWritten} written by the sink in ${stored.objects} objects\n`,
    );
  });

  it.each(['wrong-scope', 'expired'] as const)(
    'a client with a %s token is refused: KAFKA_AUTH_FAILED naming authentication',
    async (how) => {
      // one profile (and, for "expired", one token) for the client and for the error mapping
      const p = withToken(how);
      const expiredToken = how === 'expired' ? process.env[TOKEN_VAR] : undefined;
      if (how === 'expired') expect(expiredToken).toMatch(JWS);
      const producer = createKafkaProducer(p, { retries: 0 });
      const err = await producer
        .send({ messages: [{ topic: topics[0]!, value: Buffer.from('{"ind":1}') }] })
        .then(
          () => undefined,
          (e: unknown) => kafkaFailure(e, p),
        );
      await producer.close().catch(() => undefined);
      expect(err).toBeInstanceOf(PinpipeError);
      expect(err!.code).toBe('KAFKA_AUTH_FAILED');
      expect(err!.message).toMatch(/authentication failed/i);
      expect(err!.message).toMatch(how === 'wrong-scope' ? /insufficient_scope/ : /invalid_token/);
      // no token (minted or from the variable) appears in the message
      expect(err!.message).not.toMatch(JWS);
      if (expiredToken) expect(err!.message).not.toContain(expiredToken);
    },
  );

  it('a client without a token (no SASL) is refused, and the message says authentication may be required', async () => {
    const p = withToken('no-sasl');
    const a = createKafkaAdmin(p, { retries: 0 });
    const err = await a.metadata({ topics: [], forceUpdate: true }).then(
      () => undefined,
      (e: unknown) => kafkaFailure(e, p),
    );
    await a.close().catch(() => undefined);
    expect(err).toBeInstanceOf(PinpipeError);
    expect(err!.code).toBe('KAFKA_AUTH_FAILED');
    expect(err!.message).toMatch(/requires authentication/i);
  });

  it('a proxy with a refused token answers an error, writes nothing, and the sink with one writes nothing', async () => {
    const before = await highWatermarks();
    const bad = withToken('wrong-scope');
    await using proxy = await startProxy({
      profile: bad,
      host: '127.0.0.1',
      port: 0,
      logger,
      sendTimeoutMs: 5000,
    });
    const res = await fetch(`${proxy.url}/topics/${topics[0]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.kafka.json.v2+json', 'x-api-key': API_KEY },
      body: JSON.stringify({ records: [{ value: { ind: 1 } }] }),
    });
    const body = (await res.json()) as { error_code?: number; message?: string };
    // a refused token is not retriable: Confluent's 500 with error_code 50002
    expect({ status: res.status, error_code: body.error_code }).toEqual({ status: 500, error_code: 50002 });
    expect(await highWatermarks()).toBe(before);

    const badPrefix = uniqueName('secure-bad-prefix');
    const err = await runSink({
      profile: bad,
      prefix: badPrefix,
      drain: true,
      logger,
      progressIntervalMs: 0,
      groupId: uniqueName('secure-bad-group'),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPinpipeError(err, 'KAFKA_AUTH_FAILED'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/authentication failed.*insufficient_scope/);
    expect(await listKeys(s3, secure.s3.bucket, `${badPrefix}/`)).toEqual([]);
  });

  it('after the refusals nothing is lost or duplicated: Kafka and S3 still hold exactly the delivered records', async () => {
    expect(acknowledged).toBe(180);
    expect(await highWatermarks()).toBe(acknowledged);
    const again = await runSink({
      profile: secure,
      prefix,
      drain: true,
      flushSize: 25,
      logger,
      progressIntervalMs: 0,
    });
    expect(again.recordsWritten).toBe(0);
    const stored = await readStoredRecords(s3, secure.s3.bucket, `${prefix}/`);
    expect(stored.records).toHaveLength(acknowledged);
    for (const r of stored.records) expect(() => JSON.parse(r.line)).not.toThrow();
  });
});

describe('pinpipe doctor on the secured sandbox', { timeout: 60_000 }, () => {
  it('passes credentials, bucket, Kafka (authenticated over sasl-oauthbearer), topics and MySQL', async () => {
    const p = structuredClone(secure);
    p.apiGateway.restApiName = uniqueName('secure-no-api');
    const report = await runDoctor(p, { timeoutMs: 5000 });
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({
      credentials: 'pass',
      bucket: 'pass',
      kafka: 'pass',
      topics: 'pass',
      mysql: 'pass',
    });
    expect(report.checks.find((c) => c.name === 'kafka')?.detail).toMatch(
      /authenticated with sasl-oauthbearer/,
    );
    // this test's REST API does not exist: the invoke-url check names the fix
    const gw = report.checks.find((c) => c.name === 'invoke-url')!;
    expect(gw.status).toBe('fail');
    expect(`${gw.detail} ${gw.fix}`).toMatch(/provision/);
    expect(report.ok).toBe(false);
  });

  it('names the Kafka authentication step when the token is refused, without printing the token', async () => {
    const bad = withToken('expired');
    const report = await runDoctor(bad, { timeoutMs: 5000, secrets: [process.env[TOKEN_VAR]!] });
    const kafka = report.checks.find((c) => c.name === 'kafka')!;
    expect(kafka.status).toBe('fail');
    expect(kafka.detail).toMatch(/KAFKA_AUTH_FAILED: Kafka authentication failed/);
    expect(kafka.fix).toMatch(/unexpired token/);
    expect(report.checks.find((c) => c.name === 'topics')?.status).toBe('skip');
    expect(JSON.stringify(report)).not.toContain(process.env[TOKEN_VAR]!);
  });
});
