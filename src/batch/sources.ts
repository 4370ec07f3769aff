import fs from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { topicNames, type Profile } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { parseSinkKey, topicPrefix } from './object-keys.ts';
import { withRequestSignal } from './abort.ts';
import { TOPIC_KINDS, type SinkObject } from './types.ts';
import { isNoSuchBucket } from '../clients/s3-bucket.ts';

export interface Listing {
  objects: SinkObject[];
  /** Keys under the topics' folders that are not sink objects (skipped, reported). */
  ignored: string[];
}

/** Sorted by topic, partition, start offset, key: the load order does not depend on the listing. */
function sortObjects(objects: SinkObject[]): SinkObject[] {
  const order = (o: SinkObject) => TOPIC_KINDS.indexOf(o.kind);
  return objects.sort(
    (a, b) =>
      order(a) - order(b) ||
      a.partition - b.partition ||
      a.startOffset - b.startOffset ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** Maps an S3 SDK failure to a PinpipeError that says what to do next. */
export function s3Failure(err: unknown, profile: Profile, action: string): PinpipeError {
  const name = (err as { name?: string }).name ?? '';
  const bucket = profile.s3.bucket;
  if (name === 'AbortError')
    return new PinpipeError('INTERRUPTED', `Interrupted while ${action}.`, { cause: err });
  if (isNoSuchBucket(err)) {
    return new PinpipeError(
      'S3_BUCKET_MISSING',
      `Bucket ${bucket} does not exist: run the sink first (or \`pinpipe provision\`), or point the profile at the right bucket.`,
      { cause: err },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new PinpipeError(
      'AWS_CREDENTIALS_MISSING',
      `No AWS credentials for ${action}: configure the AWS default chain (aws configure / SSO / an instance role).`,
      { cause: err },
    );
  }
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) {
    return new PinpipeError(
      'S3_UNAVAILABLE',
      `S3 is unreachable while ${action} (${describeError(err)}). Is the sandbox up (npm run sandbox:up)? Endpoint: ${profile.aws.endpoint ?? 'AWS'}.`,
      { cause: err },
    );
  }
  return new PinpipeError(
    'BATCH_FAILED',
    `S3 refused ${action} in bucket ${bucket}: ${describeError(err)}.`,
    {
      cause: err,
    },
  );
}

/** Lists the sink objects of the three topics in the profile's bucket. */
export async function listS3Objects(s3: S3Client, profile: Profile, signal?: AbortSignal): Promise<Listing> {
  // the SDK is imported when S3 is used: a run over --source does not pay for it
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const topics = topicNames(profile);
  const objects: SinkObject[] = [];
  const ignored: string[] = [];
  for (const kind of TOPIC_KINDS) {
    const Prefix = topicPrefix(profile.s3.topicsDir, topics[kind]);
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await withRequestSignal(signal, (abortSignal) =>
          s3.send(new ListObjectsV2Command({ Bucket: profile.s3.bucket, Prefix, ContinuationToken }), {
            abortSignal,
          }),
        );
      } catch (err) {
        throw s3Failure(err, profile, `listing s3://${profile.s3.bucket}/${Prefix}`);
      }
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        const parsed = parseSinkKey(item.Key, profile.s3.topicsDir, topics);
        if (!parsed) {
          ignored.push(item.Key);
          continue;
        }
        objects.push({ ...parsed, size: item.Size ?? 0, etag: item.ETag ?? '', version: item.ETag ?? '' });
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
  return { objects: sortObjects(objects), ignored };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Lists the sink objects of a local folder laid out like the bucket (offline replay). */
export function listLocalObjects(source: string, profile: Profile): Listing {
  const root = path.resolve(source);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new PinpipeError(
      'USAGE',
      `--source ${source} is not a folder. Pass a folder laid out like the bucket (it holds ${profile.s3.topicsDir}/<topic>/partition=<p>/...).`,
    );
  }
  const topics = topicNames(profile);
  const objects: SinkObject[] = [];
  const ignored: string[] = [];
  for (const kind of TOPIC_KINDS) {
    const dir = path.join(root, topicPrefix(profile.s3.topicsDir, topics[kind]));
    if (!fs.existsSync(dir)) continue;
    for (const file of walk(dir)) {
      const key = path.relative(root, file).split(path.sep).join('/');
      const parsed = parseSinkKey(key, profile.s3.topicsDir, topics);
      if (!parsed) ignored.push(key);
      else {
        const stat = fs.statSync(file);
        objects.push({ ...parsed, size: stat.size, version: String(stat.mtimeMs), file });
      }
    }
  }
  return { objects: sortObjects(objects), ignored };
}
