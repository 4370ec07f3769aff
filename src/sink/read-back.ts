import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { parseObjectKey } from './keys.ts';

/** One line of one object, with the offset it stands for (start offset in the name + line index). */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The JSON value, as stored. */
  line: string;
  key: string;
}

/** Lines of one object → records with offsets; [] for keys outside the layout. */
export function recordsOfObject(key: string, body: string): StoredRecord[] {
  const parsed = parseObjectKey(key);
  if (!parsed) return [];
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => ({
    topic: parsed.topic,
    partition: parsed.partition,
    offset: parsed.startOffset + i,
    line,
    key,
  }));
}

/**
 * Keeps one record per (topic, partition, offset). Objects only overlap after a replay whose
 * wall-clock rotation (rotate.schedule.interval.ms) cut objects differently (docs/sink.md); the
 * Kafka log is immutable, so overlapping copies are identical and any one will do.
 */
export function dedupeByOffset(records: StoredRecord[]): { records: StoredRecord[]; duplicates: number } {
  const seen = new Set<string>();
  const out: StoredRecord[] = [];
  for (const r of records) {
    const id = `${r.topic}:${r.partition}:${r.offset}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset);
  return { records: out, duplicates: records.length - out.length };
}

/** One object as a listing shows it. */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
}

/** Every object under `prefix` with its ETag and size, page by page. */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key) out.push({ key: o.Key, etag: o.ETag ?? '', size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await listObjects(s3, bucket, prefix)).map((o) => o.key);
}

/** One object's body as text, with the ETag and size of the version read. */
export async function getObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ text: string; etag: string | undefined; size: number | undefined }> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { text: (await res.Body?.transformToString('utf8')) ?? '', etag: res.ETag, size: res.ContentLength };
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  return (await getObject(s3, bucket, key)).text;
}

/** Every record stored under `prefix` (a topics root or one partition's folder), not deduplicated. */
export async function readStoredRecords(
  s3: S3Client,
  bucket: string,
  prefix: string,
  concurrency = 16,
): Promise<{ objects: number; records: StoredRecord[] }> {
  const keys = (await listKeys(s3, bucket, prefix)).filter((k) => parseObjectKey(k));
  const limit = pLimit(concurrency);
  const parts = await Promise.all(
    keys.map((k) => limit(async () => recordsOfObject(k, await getText(s3, bucket, k)))),
  );
  return { objects: keys.length, records: parts.flat() };
}
