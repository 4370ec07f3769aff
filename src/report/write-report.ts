import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3 } from '../clients/s3.ts';
import { isNoSuchBucket } from '../clients/s3-bucket.ts';
import { uploadObject } from '../clients/s3-upload.ts';
import type { Profile } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { renderReportHtml } from './html.ts';
import { readResults } from './read-results.ts';

export interface WriteReportOptions {
  resultsDir: string;
  /** Default: report.html next to the results. */
  outFile?: string;
  /** Upload to profile.s3.bucket under reports/<runDate>/report.html. */
  s3?: { profile: Profile; client?: S3Client };
  /** Default: summary.json's runDate, else the results folder's name when it is a date, else today (UTC). */
  runDate?: string;
  now?: Date;
}

export interface WrittenReport {
  file: string;
  bytes: number;
  results: number;
  runDate: string;
  bucket?: string;
  s3Key?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function reportKey(runDate: string): string {
  return `reports/${runDate}/report.html`;
}

export function pickRunDate(explicit: string | undefined, summary: unknown, dir: string, now: Date): string {
  if (explicit) {
    if (!DATE.test(explicit))
      throw new PinpipeError('USAGE', `--run-date must be YYYY-MM-DD (got "${explicit}").`);
    return explicit;
  }
  const fromSummary = (summary as { runDate?: unknown } | null | undefined)?.runDate;
  if (typeof fromSummary === 'string' && DATE.test(fromSummary)) return fromSummary;
  const base = path.basename(dir);
  if (DATE.test(base)) return base;
  return now.toISOString().slice(0, 10);
}

/** Reads the results, writes report.html, and uploads it when asked. */
export async function writeReport(opts: WriteReportOptions): Promise<WrittenReport> {
  const now = opts.now ?? new Date();
  const { results, summary } = await readResults(opts.resultsDir);
  const runDate = pickRunDate(opts.runDate, summary, opts.resultsDir, now);
  const html = renderReportHtml(results, {
    runDate,
    generatedAt: now.toISOString(),
    source: opts.resultsDir,
    profile: opts.s3?.profile.name,
    summary,
  });
  const file = path.resolve(opts.outFile ?? path.join(opts.resultsDir, 'report.html'));
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, html, 'utf8');
  } catch (err) {
    throw new PinpipeError(
      'REPORT_FAILED',
      `Cannot write ${file} (${describeError(err)}). Pass --out <file> elsewhere.`,
      {
        cause: err,
      },
    );
  }
  const written: WrittenReport = {
    file,
    bytes: Buffer.byteLength(html),
    results: Object.keys(results).length,
    runDate,
  };
  if (!opts.s3) return written;

  const { profile } = opts.s3;
  const client = opts.s3.client ?? createS3(profile);
  const key = reportKey(runDate);
  try {
    await uploadObject(client, { bucket: profile.s3.bucket, key, contentType: 'text/html' }, html);
  } catch (err) {
    if (isNoSuchBucket(err)) {
      throw new PinpipeError(
        'S3_BUCKET_MISSING',
        `The report is at ${file}, but bucket ${profile.s3.bucket} does not exist. Run \`pinpipe provision\`, or pass --no-upload.`,
        { cause: err },
      );
    }
    throw new PinpipeError(
      'S3_UNAVAILABLE',
      `The report is at ${file}, but the upload to s3://${profile.s3.bucket}/${key} failed (${describeError(err)}). ` +
        'Check that S3 is up (`npm run sandbox:status`), or pass --no-upload.',
      { cause: err },
    );
  } finally {
    if (!opts.s3.client) client.destroy();
  }
  return { ...written, bucket: profile.s3.bucket, s3Key: key };
}
