import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeBatch, RESULT_NAMES } from '../../src/batch/index.ts';
import { createS3 } from '../../src/clients/s3.ts';
import type { Profile } from '../../src/config/index.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { runCli } from '../helpers/run.ts';
import { EXPECTED_MAIN } from '../unit/batch/expected-main.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/batch/main');
const logger = createLogger('silent');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : [full];
  });
}

async function emptyBucket(s3: S3Client, Bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket }));
    const keys = (page.Contents ?? []).map((c) => ({ Key: c.Key! }));
    if (keys.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }));
  }
}

// The sink's layout written into a private bucket of the sandbox S3, then the batch through S3.
describe('batch through the sandbox S3', { timeout: 120_000 }, () => {
  let profile: Profile;
  let s3: S3Client;
  let work: string;
  const buckets: string[] = [];

  const withBucket = (bucket: string): Profile => ({ ...profile, s3: { ...profile.s3, bucket } });

  /** A bucket of its own holding the fixture, and a fresh work folder (no manifest): one per test. */
  const fresh = async (): Promise<Profile> => {
    const bucket = uniqueName('pinpipe-batch');
    buckets.push(bucket);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const file of files(FIXTURE)) {
      const Key = path.relative(FIXTURE, file).split(path.sep).join('/');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: fs.readFileSync(file) }));
    }
    const workDir = fs.mkdtempSync(path.join(work, 'work-'));
    return { ...withBucket(bucket), batch: { ...profile.batch, workDir } };
  };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-batch-it-'));
    profile = testProfile();
    s3 = createS3(profile);
  });

  afterAll(async () => {
    for (const Bucket of buckets) {
      await emptyBucket(s3, Bucket).catch(() => undefined);
      await s3.send(new DeleteBucketCommand({ Bucket })).catch(() => undefined);
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('fetches the objects, computes the hand-worked results and writes Parquet back', async () => {
    const profile = await fresh();
    const { summary, results } = await executeBatch({
      profile,
      runDate: '2026-01-02',
      logger,
    });
    expect(summary.objects).toMatchObject({ total: 9, fetched: 9, cached: 0 });
    expect(summary.rows).toEqual({ pin: 12, geo: 12, user: 12 });
    for (const name of RESULT_NAMES) expect(results[name]).toEqual(EXPECTED_MAIN[name]);
    expect(summary.parquet.uploaded).toContain('curated/pin_clean/run_date=2026-01-02/pin_clean.parquet');
    expect(summary.parquet.uploaded).toContain(
      'analytics/top_country_by_followers/run_date=2026-01-02/top_country_by_followers.parquet',
    );
    expect(summary.parquet.uploaded).toHaveLength(4 + RESULT_NAMES.length);
    const obj = await s3.send(
      new GetObjectCommand({
        Bucket: profile.s3.bucket,
        Key: 'analytics/users_joined_by_year/run_date=2026-01-02/users_joined_by_year.parquet',
      }),
    );
    const bytes = Buffer.from(await obj.Body!.transformToByteArray());
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
  });

  it('fetches only new objects on the next run (the manifest)', async () => {
    const profile = await fresh();
    const first = await executeBatch({ profile, runDate: '2026-01-02', logger });
    expect(first.summary.objects).toMatchObject({ total: 9, fetched: 9, cached: 0 });
    const again = await executeBatch({ profile, runDate: '2026-01-03', logger });
    expect(again.summary.objects).toMatchObject({ total: 9, fetched: 0, cached: 9 });
    expect(again.results).toEqual(EXPECTED_MAIN);
    // a new object: post 1 sent again at offset 9 of pin partition 0 (after a replay)
    const line = fs
      .readFileSync(
        path.join(FIXTURE, 'topics/0e7ae8feb921.pin/partition=0/0e7ae8feb921.pin+0+0000000000.json'),
        'utf8',
      )
      .split('\n')[0];
    await s3.send(
      new PutObjectCommand({
        Bucket: profile.s3.bucket,
        Key: 'topics/0e7ae8feb921.pin/partition=0/0e7ae8feb921.pin+0+0000000009.json',
        Body: `${line}\n`,
      }),
    );
    const third = await executeBatch({ profile, runDate: '2026-01-03', logger });
    expect(third.summary.objects).toMatchObject({ total: 10, fetched: 1, cached: 9 });
    expect(third.summary.duplicates.posts.pin).toBe(2);
    expect(third.results).toEqual(EXPECTED_MAIN);
  });

  it('prints JSON through the CLI, and "nothing to process" (exit 0) for an empty bucket', async () => {
    const profile = await fresh();
    const env = { PINPIPE_S3__BUCKET: profile.s3.bucket, PINPIPE_BATCH__WORK_DIR: path.join(work, 'cli') };
    const res = await runCli(['batch', '--json', '--no-upload', '--run-date', '2026-01-04'], { env });
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as {
      summary: { rows: unknown; parquet: { uploaded: string[] } };
      results: unknown;
    };
    expect(out.summary.rows).toEqual({ pin: 12, geo: 12, user: 12 });
    expect(out.summary.parquet.uploaded).toEqual([]);
    expect(out.results).toEqual(EXPECTED_MAIN);

    const empty = uniqueName('pinpipe-batch-empty');
    buckets.push(empty);
    await s3.send(new CreateBucketCommand({ Bucket: empty }));
    const none = await runCli(['batch'], { env: { ...env, PINPIPE_S3__BUCKET: empty } });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/nothing to process/);
  });

  it('fails with S3_BUCKET_MISSING when the bucket does not exist', async () => {
    const err = await executeBatch({
      profile: withBucket(uniqueName('pinpipe-missing')),
      logger,
    }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'S3_BUCKET_MISSING')).toBe(true);
  });
});
