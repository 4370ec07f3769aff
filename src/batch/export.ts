import fs from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Profile } from '../config/index.ts';
import { sqlString, type Database } from './duckdb.ts';
import { outputKey } from './object-keys.ts';
import { s3Failure } from './sources.ts';
import { withRequestSignal } from './abort.ts';

/** Writes `<outDir>/<name>.json` for each result: an array of row objects, 2-space indented. */
export function writeResultsJson(outDir: string, results: Record<string, unknown[]>): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  return Object.entries(results).map(([name, rows]) => {
    const file = path.join(outDir, `${name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
    return file;
  });
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export interface ParquetFile {
  /** Table name (clean table or result). */
  name: string;
  file: string;
  /** curated (clean tables, quarantine) or analytics (results). */
  area: 'curated' | 'analytics';
}

/**
 * DuckDB COPY of each table to `<dir>/<area>/<name>.parquet`, in `orderBy` order when given (an
 * incremental run appends to the tables, so their stored order is not the output order).
 */
export async function writeParquet(
  db: Database,
  dir: string,
  tables: Array<{ name: string; area: ParquetFile['area']; orderBy?: string }>,
): Promise<ParquetFile[]> {
  const out: ParquetFile[] = [];
  for (const { orderBy, ...t } of tables) {
    const file = path.join(dir, t.area, `${t.name}.parquet`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const from = orderBy ? `(SELECT * FROM ${t.name} ORDER BY ${orderBy})` : t.name;
    await db.run(
      `COPY ${from} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
      `parquet ${t.name}`,
    );
    out.push({ ...t, file });
  }
  return out;
}

/** PutObject of each Parquet file under the profile's curated/analytics prefixes, run date in the key. */
export async function uploadParquet(
  s3: S3Client,
  profile: Profile,
  files: ParquetFile[],
  runDate: string,
  signal?: AbortSignal,
): Promise<string[]> {
  // the SDK is imported when S3 is used: a run over --source does not pay for it
  const { uploadFile } = await import('../clients/s3-upload.ts');
  const keys: string[] = [];
  for (const f of files) {
    const prefix = f.area === 'curated' ? profile.batch.curatedPrefix : profile.batch.analyticsPrefix;
    const Key = outputKey(prefix, f.name, runDate);
    try {
      await withRequestSignal(signal, (abortSignal) =>
        uploadFile(
          s3,
          { bucket: profile.s3.bucket, key: Key, contentType: 'application/vnd.apache.parquet' },
          f.file,
          { abortSignal },
        ),
      );
    } catch (err) {
      throw s3Failure(err, profile, `writing s3://${profile.s3.bucket}/${Key}`);
    }
    keys.push(Key);
  }
  return keys;
}
