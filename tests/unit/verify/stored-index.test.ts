import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { recordsOfObject, dedupeByOffset } from '../../../src/sink/read-back.ts';
import { StoredObjectIndex, countDistinct, lineCount } from '../../../src/verify/stored-index.ts';

/** An in-memory bucket answering the two calls the index makes (listings in pages of 2 keys). */
function memoryS3() {
  const objects = new Map<string, string>();
  const gets: string[] = [];
  const etag = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;
  const client = {
    send: async (cmd: unknown) => {
      if (cmd instanceof ListObjectsV2Command) {
        const keys = [...objects.keys()].filter((k) => k.startsWith(cmd.input.Prefix ?? '')).sort();
        const from = Number(cmd.input.ContinuationToken ?? 0);
        const page = keys.slice(from, from + 2);
        return {
          Contents: page.map((k) => ({
            Key: k,
            ETag: etag(objects.get(k)!),
            Size: Buffer.byteLength(objects.get(k)!),
          })),
          IsTruncated: from + 2 < keys.length,
          NextContinuationToken: String(from + 2),
        };
      }
      if (cmd instanceof GetObjectCommand) {
        const body = objects.get(cmd.input.Key!);
        if (body === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
        gets.push(cmd.input.Key!);
        return {
          ETag: etag(body),
          ContentLength: Buffer.byteLength(body),
          Body: { transformToString: async () => body },
        };
      }
      throw new Error(`unexpected command ${String(cmd)}`);
    },
  };
  return { objects, gets, client: client as unknown as S3Client };
}

const key = (p: number, start: number) =>
  `topics/t/partition=${p}/t+${p}+${String(start).padStart(10, '0')}.json`;
const lines = (n: number) => Array.from({ length: n }, (_, i) => `{"i":${i}}\n`).join('');

/** The count the full read gives (every object read and deduplicated by offset). */
function fullCount(objects: Map<string, string>): number {
  return dedupeByOffset([...objects].flatMap(([k, body]) => recordsOfObject(k, body))).records.length;
}

describe('StoredObjectIndex', () => {
  it('reads only new or rewritten objects, forgets deleted ones, and counts like a full read', async () => {
    const { objects, gets, client } = memoryS3();
    objects.set(key(0, 0), lines(3));
    objects.set(key(0, 3), lines(2));
    objects.set(key(1, 0), lines(4));
    objects.set('topics/t/partition=1/not-an-object.txt', 'x\n');
    const index = new StoredObjectIndex(client, 'b', 'topics/t/');

    expect(countDistinct(await index.refresh())).toEqual({ records: 9, all: 9 });
    expect(gets.sort()).toEqual([key(0, 0), key(0, 3), key(1, 0)]);
    expect(index.lastReads).toBe(3);

    // nothing changed: a listing and no read
    gets.length = 0;
    expect(countDistinct(await index.refresh())).toEqual({ records: 9, all: 9 });
    expect(gets).toEqual([]);

    // a new object, a rewritten one (same key, 5 lines instead of 2), a deleted one
    gets.length = 0;
    objects.set(key(1, 4), lines(1));
    objects.set(key(0, 3), lines(5));
    objects.delete(key(1, 0));
    const spans = await index.refresh();
    expect(gets.sort()).toEqual([key(0, 3), key(1, 4)]);
    expect(index.lastReads).toBe(2);
    expect(countDistinct(spans)).toEqual({ records: 3 + 5 + 1, all: 9 });
    expect(countDistinct(spans).all).toBe(fullCount(objects));
    // from offset 4 of partition 0 and 0 of partition 1: offsets 4..7 of p0 and offset 4 of p1
    expect(countDistinct(spans, (p) => (p === 0 ? 4 : 0))).toEqual({ records: 5, all: 9 });
  });

  it('counts overlapping objects of a replay once, as the full read does', () => {
    const spans = [
      { topic: 't', partition: 0, start: 0, lines: 5 },
      { topic: 't', partition: 0, start: 3, lines: 4 },
      { topic: 't', partition: 0, start: 10, lines: 2 },
      { topic: 't', partition: 0, start: 12, lines: 0 },
      { topic: 't', partition: 1, start: 0, lines: 2 },
      { topic: 't', partition: 1, start: 0, lines: 1 },
    ];
    expect(countDistinct(spans)).toEqual({ records: 7 + 2 + 2, all: 11 });
    expect(countDistinct(spans, (p) => (p === 0 ? 6 : 1))).toEqual({ records: 1 + 2 + 1, all: 11 });
  });

  it('splits lines as the sink read-back does', () => {
    for (const body of ['', 'a', 'a\n', '\n', 'a\n\nb', 'a\nb\n\n']) {
      expect(lineCount(body)).toBe(recordsOfObject(key(0, 0), body).length);
    }
  });
});
