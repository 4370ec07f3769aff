import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { parseObjectKey } from '../sink/keys.ts';
import { getObject, listObjects, type ListedObject } from '../sink/index.ts';

/** What one stored object holds: the offsets [start, start + lines) of one partition. */
export interface ObjectSpan {
  topic: string;
  partition: number;
  start: number;
  lines: number;
}

/** Lines of an object body, as the sink's read-back splits them (a final newline ends the last line). */
export function lineCount(body: string): number {
  if (body === '') return 0;
  let n = 0;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) n++;
  return body.endsWith('\n') ? n : n + 1;
}

/**
 * Distinct offsets covered by the spans (overlapping objects of a replay count once), with `from`
 * per partition: only offsets at or after it. Pure: sorts each partition's spans and merges them.
 */
export function countDistinct(
  spans: Iterable<ObjectSpan>,
  from: (partition: number) => number = () => 0,
): { records: number; all: number } {
  const byPartition = new Map<string, { partition: number; ranges: Array<[number, number]> }>();
  for (const s of spans) {
    if (s.lines <= 0) continue;
    const id = `${s.topic}\u0000${s.partition}`;
    let p = byPartition.get(id);
    if (!p) byPartition.set(id, (p = { partition: s.partition, ranges: [] }));
    p.ranges.push([s.start, s.start + s.lines]);
  }
  let records = 0;
  let all = 0;
  for (const { partition, ranges } of byPartition.values()) {
    ranges.sort((a, b) => a[0] - b[0]);
    const lo = from(partition);
    let curStart = -1;
    let curEnd = -1;
    const flush = () => {
      if (curEnd <= curStart) return;
      all += curEnd - curStart;
      records += Math.max(0, curEnd - Math.max(curStart, lo));
    };
    for (const [s, e] of ranges) {
      if (s > curEnd) {
        flush();
        curStart = s;
        curEnd = e;
      } else if (e > curEnd) {
        curEnd = e;
      }
    }
    flush();
  }
  return { records, all };
}

/**
 * The sink's objects under one prefix, remembered between reads: each object's key, ETag and size
 * with the offsets it holds. A refresh lists the prefix and reads only the objects that are new or
 * whose ETag or size changed (a rewritten object is read again); objects no longer listed are
 * forgotten. One read costs a listing plus the changed objects, not every stored record.
 */
export class StoredObjectIndex {
  private readonly known = new Map<string, ListedObject & { span: ObjectSpan }>();
  /** Objects read (GET) by the last refresh, for figures and tests. */
  lastReads = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly concurrency = 16,
  ) {}

  /** Lists the prefix, reads what changed, and returns every stored object's span. */
  async refresh(): Promise<ObjectSpan[]> {
    const listed = (await listObjects(this.s3, this.bucket, this.prefix)).filter((o) =>
      parseObjectKey(o.key),
    );
    const seen = new Set(listed.map((o) => o.key));
    for (const key of this.known.keys()) if (!seen.has(key)) this.known.delete(key);
    const changed = listed.filter((o) => {
      const k = this.known.get(o.key);
      return !k || k.etag !== o.etag || k.size !== o.size;
    });
    const limit = pLimit(this.concurrency);
    await Promise.all(
      changed.map((o) =>
        limit(async () => {
          const read = await getObject(this.s3, this.bucket, o.key);
          const parsed = parseObjectKey(o.key)!;
          // Remember the version actually read: a newer one listed next time is read again.
          this.known.set(o.key, {
            key: o.key,
            etag: read.etag ?? o.etag,
            size: read.size ?? o.size,
            span: {
              topic: parsed.topic,
              partition: parsed.partition,
              start: parsed.startOffset,
              lines: lineCount(read.text),
            },
          });
        }),
      ),
    );
    this.lastReads = changed.length;
    return [...this.known.values()].map((k) => k.span);
  }
}
