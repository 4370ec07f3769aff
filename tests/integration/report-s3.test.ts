import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3 } from '../../src/clients/s3.ts';
import { PROJECT_ROOT, type Profile } from '../../src/config/index.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { writeReport } from '../../src/report/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';

/** writeReport and `pinpipe report` upload to the sandbox S3, in a bucket of their own. */
const run = promisify(execFile);
const FIXTURE_DIR = path.join(PROJECT_ROOT, 'tests/fixtures/report/results');

let bucket: string;
let profile: Profile;
let s3: S3Client;
let tmp: string;

async function emptyAndDelete(client: S3Client, name: string) {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: name }));
  for (const o of listed.Contents ?? [])
    await client.send(new DeleteObjectCommand({ Bucket: name, Key: o.Key! }));
  await client.send(new DeleteBucketCommand({ Bucket: name }));
}

beforeAll(async () => {
  bucket = uniqueName('pinpipe-report');
  profile = testProfile((p) => ({ ...p, s3: { ...p.s3, bucket } }));
  s3 = createS3(profile);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pinpipe-report-s3-'));
});

afterAll(async () => {
  if (s3) {
    await emptyAndDelete(s3, bucket).catch(() => undefined);
    s3.destroy();
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('report upload to S3', { timeout: 60_000 }, () => {
  it('puts report.html under reports/<runDate>/ as text/html, byte for byte', async () => {
    const dir = path.join(tmp, 'run-a');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    const out = await writeReport({ resultsDir: dir, s3: { profile } });
    expect(out).toMatchObject({ bucket, s3Key: 'reports/2026-11-25/report.html', runDate: '2026-11-25' });

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: out.s3Key }));
    expect(got.ContentType).toMatch(/^text\/html/);
    expect(await got.Body!.transformToString()).toBe(await readFile(out.file, 'utf8'));
  });

  it('names the missing bucket and what to do, after writing the file', async () => {
    const missing = testProfile((p) => ({ ...p, s3: { ...p.s3, bucket: uniqueName('pinpipe-nobucket') } }));
    const dir = path.join(tmp, 'run-b');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    const err = await writeReport({ resultsDir: dir, s3: { profile: missing } }).catch((e: unknown) => e);
    expect(isPinpipeError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe('S3_BUCKET_MISSING');
    expect((err as Error).message).toContain(missing.s3.bucket);
    expect((err as Error).message).toContain(path.join(dir, 'report.html'));
    expect((err as Error).message).toMatch(/--no-upload/);
    await expect(readFile(path.join(dir, 'report.html'), 'utf8')).resolves.toMatch(/^<!doctype html>/);
  });

  it('says S3 is unreachable when nothing listens at the endpoint', async () => {
    const down = testProfile((p) => ({ ...p, aws: { ...p.aws, endpoint: 'http://127.0.0.1:9' } }));
    const err = await writeReport({
      resultsDir: FIXTURE_DIR,
      outFile: path.join(tmp, 'down.html'),
      s3: { profile: down },
    }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'S3_UNAVAILABLE'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/sandbox:status.*--no-upload/);
  });

  it('`pinpipe report` finds the latest results, prints the path and the s3:// URI', async () => {
    const workDir = path.join(tmp, 'work');
    await cp(FIXTURE_DIR, path.join(workDir, 'results', '2026-11-25'), { recursive: true });
    const env = { ...process.env, PINPIPE_S3__BUCKET: bucket, PINPIPE_BATCH__WORK_DIR: workDir };
    const { stdout, stderr } = await run(
      'node',
      [path.join(PROJECT_ROOT, 'bin/pinpipe.mjs'), 'report', '--run-date', '2026-11-26'],
      {
        env,
        cwd: PROJECT_ROOT,
      },
    );
    const file = path.join(workDir, 'results', '2026-11-25', 'report.html');
    expect(stdout.trim().split('\n')).toEqual([file, `s3://${bucket}/reports/2026-11-26/report.html`]);
    expect(stderr).toContain('reading the latest results');
    // only this run's date (another test of this file uploads reports/2026-11-25/)
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/2026-11-26/' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(['reports/2026-11-26/report.html']);

    // --no-upload --open-path: a file:// URL and nothing uploaded
    const again = await run(
      'node',
      [
        path.join(PROJECT_ROOT, 'bin/pinpipe.mjs'),
        'report',
        '--no-upload',
        '--open-path',
        '--run-date',
        '2026-11-27',
      ],
      { env, cwd: PROJECT_ROOT },
    );
    expect(again.stdout.trim()).toBe(`file://${file}`);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/2026-11-27/' }));
    expect(after.KeyCount ?? 0).toBe(0);
  });
});
