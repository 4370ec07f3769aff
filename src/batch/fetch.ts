import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { z } from 'zod';
import { parseJson } from '../json.ts';
import { requestSignal } from './abort.ts';
import type { Profile } from '../config/index.ts';
import { s3Failure } from './sources.ts';
import type { SinkObject } from './types.ts';

/** The local cache's record of the objects already fetched: key → the ETag and size fetched. */
export interface Manifest {
  version: 1;
  bucket: string;
  objects: Record<string, { etag: string; size: number; fetchedAt: string }>;
}

const manifestSchema: z.ZodType<Manifest> = z.object({
  version: z.literal(1),
  bucket: z.string(),
  objects: z.record(z.string(), z.object({ etag: z.string(), size: z.number(), fetchedAt: z.string() })),
});

export function readManifest(file: string, bucket: string): Manifest {
  try {
    const m = parseJson(fs.readFileSync(file, 'utf8'), manifestSchema);
    if (m.ok && m.value.bucket === bucket) return m.value;
  } catch {
    // missing, unreadable or not a manifest: start a new cache (every object is fetched again)
  }
  return { version: 1, bucket, objects: {} };
}

export function writeManifest(file: string, manifest: Manifest): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 1)}\n`);
  fs.renameSync(tmp, file);
}

/** Objects whose cached copy is missing or differs (ETag or size) from the listing. Pure. */
export function planFetch(
  objects: SinkObject[],
  manifest: Manifest,
  exists: (key: string) => boolean,
): SinkObject[] {
  return objects.filter((o) => {
    const seen = manifest.objects[o.key];
    return !seen || seen.etag !== o.etag || seen.size !== o.size || !exists(o.key);
  });
}

export interface FetchResult {
  fetched: number;
  cached: number;
  bytes: number;
}

/**
 * Brings the listed objects into `<cacheDir>/<key>`, fetching only the new or changed ones (the
 * manifest), at most `profile.batch.fetchConcurrency` at a time. Sets `file` on every object.
 * Manifest entries of keys no longer listed are dropped with their files (the bucket is the truth).
 */
export async function fetchObjects(opts: {
  s3: S3Client;
  profile: Profile;
  objects: SinkObject[];
  cacheDir: string;
  signal?: AbortSignal;
  /** Objects fetched so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
}): Promise<FetchResult> {
  const { s3, profile, objects, cacheDir, signal } = opts;
  // the SDK is imported when S3 is used: a run over --source does not pay for it
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const manifestFile = path.join(cacheDir, 'manifest.json');
  const manifest = readManifest(manifestFile, profile.s3.bucket);
  const local = (key: string) => path.join(cacheDir, ...key.split('/'));
  const listed = new Set(objects.map((o) => o.key));
  for (const key of Object.keys(manifest.objects)) {
    if (listed.has(key)) continue;
    delete manifest.objects[key];
    fs.rmSync(local(key), { force: true });
  }
  const todo = planFetch(objects, manifest, (key) => fs.existsSync(local(key)));
  for (const o of objects) o.file = local(o.key);
  let done = 0;
  opts.onProgress?.(done, todo.length);
  const limit = pLimit(profile.batch.fetchConcurrency);
  let bytes = 0;
  let failure: unknown;
  let stopped = false;
  try {
    const settled = await Promise.allSettled(
      todo.map((o) =>
        limit(async () => {
          if (signal?.aborted || stopped) return;
          const file = local(o.key);
          const tmp = `${file}.${process.pid}.part`;
          fs.mkdirSync(path.dirname(file), { recursive: true });
          const request = requestSignal(signal);
          try {
            const res = await s3.send(new GetObjectCommand({ Bucket: profile.s3.bucket, Key: o.key }), {
              abortSignal: request.signal,
            });
            await pipeline(res.Body as Readable, fs.createWriteStream(tmp));
            fs.renameSync(tmp, file);
          } catch (err) {
            fs.rmSync(tmp, { force: true });
            stopped = true;
            throw s3Failure(err, profile, `fetching s3://${profile.s3.bucket}/${o.key}`);
          } finally {
            request.done();
          }
          const size = fs.statSync(file).size;
          bytes += size;
          manifest.objects[o.key] = {
            etag: o.etag ?? '',
            size: o.size ?? size,
            fetchedAt: new Date().toISOString(),
          };
          opts.onProgress?.(++done, todo.length);
        }),
      ),
    );
    failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  } finally {
    // what was fetched stays fetched, even when the run fails half-way
    writeManifest(manifestFile, manifest);
  }
  if (failure) throw failure;
  if (signal?.aborted)
    throw s3Failure(Object.assign(new Error('aborted'), { name: 'AbortError' }), profile, 'fetching');
  return { fetched: todo.length, cached: objects.length - todo.length, bytes };
}
