import fs from 'node:fs';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaAdmin, createKafkaProducer, createS3 } from '../../src/clients/index.ts';
import { topicNames, type Profile } from '../../src/config/index.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { startProxy } from '../../src/proxy/index.ts';
import { proxyLedgerPath, readAckLedger } from '../../src/ledger/index.ts';
import { objectKey, errorKey } from '../../src/sink/index.ts';
import { runBatch } from '../../src/batch/index.ts';
import {
  highWatermarks,
  kafkaCounts,
  s3Counts,
  beginRunScope,
  formatReconciliation,
  runVerify,
} from '../../src/verify/index.ts';
import { cleanupPipeline, isolatedPipelineEnv, profileFor } from '../helpers/isolated.ts';
import { runCli } from '../helpers/run.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';

/**
 * verify's collection against the real sandbox: Kafka watermarks, the sink's objects in S3 (overlaps,
 * errors/, a run's starting offsets), the proxy's ledger, and the verdicts on who wrote to Kafka.
 */
let env: Record<string, string>;
let profile: Profile;
const layout = () => ({ prefix: '', topicsDir: profile.s3.topicsDir, errorsDir: 'errors' });

async function produceDirect(topic: string, partition: number, values: string[]): Promise<number> {
  const producer = createKafkaProducer(profile);
  try {
    const { offsets } = await producer.send({
      messages: values.map((value) => ({ topic, value: Buffer.from(value), partition })),
    });
    return Number(offsets![0]!.offset);
  } finally {
    await producer.close();
  }
}

async function putObject(key: string, lines: string[]): Promise<void> {
  const s3 = createS3(profile);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: profile.s3.bucket,
        Key: key,
        Body: lines.map((l) => `${l}\n`).join(''),
      }),
    );
  } finally {
    s3.destroy();
  }
}

/** Each describe gets a pipeline of its own (topics, bucket, ledgers), so they pass in any order. */
function ownPipeline(name: string): void {
  beforeAll(async () => {
    env = await isolatedPipelineEnv(name);
    profile = profileFor(env);
    const admin = createKafkaAdmin(profile);
    await createTopicsReady(admin, {
      topics: Object.values(topicNames(profile)).map((topic) => ({ topic, numPartitions: 3 })),
    });
    await admin.close();
    const s3 = createS3(profile);
    await s3.send(new CreateBucketCommand({ Bucket: profile.s3.bucket }));
    s3.destroy();
  }, 60_000);

  afterAll(async () => {
    if (env) await cleanupPipeline(env);
  });
}

describe('verify: collecting the counts', { timeout: 60_000 }, () => {
  ownPipeline('verify-counts');
  it('counts Kafka records per partition and distinct stored offsets, all or from a run on', async () => {
    const pin = topicNames(profile).pin;
    expect(await produceDirect(pin, 0, ['{"a":0}', '{"a":1}', '{"a":2}'])).toBe(0);
    expect(await produceDirect(pin, 1, ['{"b":0}', 'not json'])).toBe(0);
    const admin = createKafkaAdmin(profile);
    try {
      expect(await kafkaCounts(admin, profile)).toEqual({ pin: 5, geo: 0, user: 0 });
      const since = await highWatermarks(admin, profile);
      expect(since.pin).toEqual({ 0: 3, 1: 2, 2: 0 });
      expect(await produceDirect(pin, 0, ['{"a":3}'])).toBe(3);
      expect(await kafkaCounts(admin, profile, since)).toEqual({ pin: 1, geo: 0, user: 0 });
      expect(await kafkaCounts(admin, profile)).toEqual({ pin: 6, geo: 0, user: 0 });

      // Two overlapping objects on partition 0 (offsets 0-2 and 2-3), one on partition 1, one errors/ record.
      await putObject(objectKey(layout(), pin, 0, 0), ['{"a":0}', '{"a":1}', '{"a":2}']);
      await putObject(objectKey(layout(), pin, 0, 2), ['{"a":2}', '{"a":3}']);
      await putObject(objectKey(layout(), pin, 1, 0), ['{"b":0}']);
      await putObject(errorKey(layout(), pin, 1, 1), ['not json']);
      const s3 = createS3(profile);
      try {
        expect((await s3Counts(s3, profile)).pin).toEqual({ records: 5, errors: 1, all: 5 });
        expect((await s3Counts(s3, profile, since)).pin).toEqual({ records: 1, errors: 0, all: 5 });
        expect((await s3Counts(s3, profile)).geo).toEqual({ records: 0, errors: 0, all: 0 });
      } finally {
        s3.destroy();
      }
    } finally {
      await admin.close();
    }
  });

  it('names the service when Kafka topics or the bucket cannot be read', async () => {
    const missing = profileFor({
      ...env,
      PINPIPE_PIPELINE_ID: `${profile.pipelineId}x`,
      PINPIPE_S3__BUCKET: `${profile.s3.bucket}-gone`,
    });
    const s3 = createS3(missing, { maxAttempts: 1 });
    const err = await s3Counts(s3, missing).catch((e: unknown) => e);
    s3.destroy();
    expect(isPinpipeError(err) && err.code).toBe('S3_UNAVAILABLE');
    expect((err as Error).message).toMatch(new RegExp(`^Cannot list s3://${missing.s3.bucket}: `));
    const admin = createKafkaAdmin(missing, { retries: 0 });
    const kerr = await kafkaCounts(admin, missing).catch((e: unknown) => e);
    await admin.close();
    expect(isPinpipeError(kerr) && kerr.code).toBe('KAFKA_UNAVAILABLE');
    expect((kerr as Error).message).toMatch(
      new RegExp(`^Cannot read the offsets of ${missing.pipelineId}\\.pin: `),
    );
  });
});

describe('verify: who wrote to Kafka', { timeout: 60_000 }, () => {
  ownPipeline('verify-who');
  it('explains records other producers sent through the proxy; fails on a record written straight to Kafka', async () => {
    const geo = topicNames(profile).geo;
    const scope = await beginRunScope(profile, 'none');
    const proxy = await startProxy({ profile, logger: createLogger('warn') });
    const res = await fetch(`${proxy.url}/topics/${geo}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.kafka.json.v2+json' },
      body: JSON.stringify({
        records: [
          { value: { index: 1 }, partition: 2 },
          { value: { index: 2 }, partition: 2 },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { offsets: Array<{ offset: number }> }).offsets.map((o) => o.offset),
    ).toEqual([0, 1]);
    await proxy.close();
    expect(readAckLedger(proxyLedgerPath(profile))!.get(geo)).toEqual({ acknowledged: 2, failed: 0 });
    await putObject(objectKey(layout(), geo, 2, 0), ['{"index":1}', '{"index":2}']);
    await runBatch({ profile, upload: false, logger: createLogger('warn') });

    const ok = await runVerify({ profile });
    const geoVerdict = ok.topics.find((t) => t.topic === geo)!;
    expect(geoVerdict).toMatchObject({
      ok: true,
      sent: null,
      proxy: { acknowledged: 2, failed: 0 },
      kafka: 2,
      s3: 2,
    });
    expect(geoVerdict.explained).toEqual({ otherProducers: 2, writtenTwice: 0 });
    expect(formatReconciliation(ok)).toContain(
      `${geo}: 2 record(s) from other producers through the proxy (explained)`,
    );
    // A scope starting before the curl sees the same two records as this run's.
    const scoped = await runVerify({ profile, scope });
    expect(scoped.topics.find((t) => t.topic === geo)).toMatchObject({
      kafka: 2,
      s3: 2,
      explained: { otherProducers: 2 },
    });

    // One record straight to Kafka (not through the proxy), stored by the sink and read by the batch.
    expect(await produceDirect(geo, 2, ['{"index":3}'])).toBe(2);
    await putObject(objectKey(layout(), geo, 2, 2), ['{"index":3}']);
    await runBatch({ profile, upload: false, logger: createLogger('warn') });
    const r = await runCli(['verify'], { env });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toContain(
      `${geo}: 1 record(s) in Kafka were neither acknowledged nor refused by the proxy: written straight to Kafka by a tool other than pinpipe proxy`,
    );
    expect(r.stdout).toMatch(new RegExp(`^${geo.replace('.', '\\.')} +- +3 +3 +0 .*MISMATCH`, 'm'));
    // pin holds the first test's direct records too, when it ran first.
    const pin = topicNames(profile).pin;
    expect(r.stderr).toMatch(
      new RegExp(`Reconciliation found unexplained differences in (${pin}, )?${geo}\\.`),
    );
    expect(fs.existsSync(proxyLedgerPath(profile))).toBe(true);
  });
});
