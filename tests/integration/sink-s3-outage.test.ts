import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKafkaLog } from '../../testkit/kafka-log.ts';
import { committedOffsets } from '../helpers/sink-kit.ts';
import { s3Service } from '../../sandbox/s3/ministack.ts';
import {
  createKafkaAdmin,
  createKafkaProducer,
  createS3,
  createTopicsReady,
} from '../../src/clients/index.ts';
import { readEnv, type Profile } from '../../src/config/index.ts';
import pino from 'pino';
import { compareWithLog, readStoredRecords, runSink, type SinkSummary } from '../../src/sink/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { freePort } from '../../testkit/ports.ts';
import { waitFor } from '../helpers/wait.ts';

// Bad input: the S3 endpoint goes away mid-run. A PRIVATE MiniStack on another port is
// stopped while records keep arriving: uploads retry with backoff, nothing is committed until
// stored, and after the restart every record is in S3 exactly once.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sink: S3 endpoint going away mid-run', { timeout: 150_000 }, () => {
  const base = testProfile();
  const admin = createKafkaAdmin(base);
  const topic = uniqueName('sink-outage');
  const group = uniqueName('sink-outage-group');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-sink-s3-'));
  let profile: Profile;
  let service: ReturnType<typeof s3Service>;

  beforeAll(async () => {
    const port = await freePort();
    profile = {
      ...base,
      aws: { ...base.aws, endpoint: `http://127.0.0.1:${port}` },
      sandbox: { ...base.sandbox, dir },
      s3: { ...base.s3, bucket: 'sink-outage-bucket', createBucket: false },
    };
    service = s3Service(profile, (m) => process.stderr.write(`[private s3] ${m}\n`), readEnv().cacheDir);
    await service.start();
    await service.ensureResources();
    await createTopicsReady(admin, { topics: [{ topic, numPartitions: 3 }] });
  });

  afterAll(async () => {
    await service?.stop().catch(() => false);
    fs.rmSync(dir, { recursive: true, force: true });
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups({ groups: [group] }).catch(() => undefined);
    await admin.close();
  });

  const committedTotal = async () =>
    (await committedOffsets(admin, group, topic)).reduce((n, o) => n + Math.max(0, o), 0);
  const waitForCommitted = async (n: number, timeoutMs: number) => {
    const t0 = Date.now();
    while ((await committedTotal()) < n) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`committed offsets did not reach ${n} (at ${await committedTotal()})`);
      await sleep(250);
    }
  };
  const produce = async (from: number, count: number) => {
    const producer = createKafkaProducer(base);
    // 30 per partition per call: multiples of flush.size, so every record ends in a closed object
    for (let p = 0; p < 3; p++) {
      await producer.send({
        messages: Array.from({ length: count / 3 }, (_, i) => ({
          topic,
          partition: p,
          value: Buffer.from(JSON.stringify({ n: from + p * 1000 + i })),
        })),
      });
    }
    await producer.close();
  };

  it('retries uploads while S3 is down, commits nothing meanwhile, and loses nothing', async () => {
    await produce(0, 90);
    // the sink's warnings, to see its failed upload attempts while S3 is down
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const failedUploads = () =>
      warnings.filter((l) => /S3 PutObject .* failed \(attempt \d+\)/.test(l)).length;
    const controller = new AbortController();
    const running: Promise<SinkSummary> = runSink({
      profile,
      topics: [topic],
      groupId: group,
      flushSize: 10,
      uploadRetryMs: 120_000,
      progressIntervalMs: 0,
      signal: controller.signal,
      logger,
    });
    try {
      await waitForCommitted(90, 30_000);

      await service.stop();
      const failedBefore = failedUploads();
      await produce(5000, 90);
      // the sink has read the new records and tried (and failed) to store them several times...
      await waitFor(failedUploads, {
        timeoutMs: 60_000,
        what: '3 failed S3 upload attempts while S3 is down',
        done: (n) => n >= failedBefore + 3,
      });
      // ...and committed none of them
      expect(await committedTotal()).toBe(90);

      await service.start();
      await waitForCommitted(180, 60_000);
    } finally {
      controller.abort();
    }
    const summary = await running;
    expect(summary.uploadRetries).toBeGreaterThan(0);
    expect(summary).toMatchObject({ stoppedBy: 'signal', recordsWritten: 180, lag: 0 });

    const s3 = createS3(profile);
    try {
      const { records } = await readStoredRecords(s3, profile.s3.bucket, 'topics/');
      const cmp = compareWithLog(await readKafkaLog(base, topic), records);
      expect(cmp).toMatchObject({
        logRecords: 180,
        storedLines: 180,
        missing: [],
        duplicated: 0,
        mismatched: [],
        unknown: 0,
      });
    } finally {
      s3.destroy();
    }
  });
});
