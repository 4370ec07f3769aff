import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createS3 } from '../clients/index.ts';
import { topicNames, type Profile } from '../config/index.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/index.ts';
import { HttpProblem } from './http-rules.ts';
import { Paced } from './paced.ts';
import { previewLines } from './s3-browse.ts';
import { PROBE_MS, storeUnavailable, withTimeout } from './probe.ts';

export interface StoredTotals {
  objects: number;
  bytes: number;
}

/** The bucket's figures and the S3 browser, on one long-lived client. */
export class S3Source {
  private readonly s3: S3Client;
  private readonly bucket: string;
  /** The figures list every object under topics/: re-listed at most a tenth of the time. */
  private readonly paced: Paced<Record<TopicKey, StoredTotals>>;

  constructor(private readonly profile: Profile) {
    this.s3 = createS3(profile, { maxAttempts: 1 });
    this.bucket = profile.s3.bucket;
    this.paced = new Paced(() => this.listTopics());
  }

  /** Objects and bytes under each topic's folder of topics/ (paced). */
  figures(): Promise<Record<TopicKey, StoredTotals>> {
    return this.paced.get();
  }

  private async listTopics(): Promise<Record<TopicKey, StoredTotals>> {
    const names = topicNames(this.profile);
    const out = {} as Record<TopicKey, StoredTotals>;
    for (const k of TOPIC_KEYS) {
      let objects = 0;
      let bytes = 0;
      let token: string | undefined;
      do {
        const page = await this.probe(
          this.s3.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: `${this.profile.s3.topicsDir}/${names[k]}/`,
              ContinuationToken: token,
            }),
          ),
        );
        for (const o of page.Contents ?? []) {
          objects++;
          bytes += o.Size ?? 0;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      out[k] = { objects, bytes };
    }
    return out;
  }

  /** One level of the bucket under `prefix`: sub-folders and objects with their sizes. */
  async list(prefix: string): Promise<{
    bucket: string;
    prefix: string;
    folders: string[];
    objects: Array<{ key: string; size: number; modified: string | null }>;
    truncated: boolean;
  }> {
    try {
      const page = await this.probe(
        this.s3.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', MaxKeys: 500 }),
        ),
      );
      return {
        bucket: this.bucket,
        prefix,
        folders: (page.CommonPrefixes ?? []).map((p) => p.Prefix ?? '').filter(Boolean),
        objects: (page.Contents ?? []).map((o) => ({
          key: o.Key ?? '',
          size: o.Size ?? 0,
          modified: o.LastModified?.toISOString() ?? null,
        })),
        truncated: page.IsTruncated ?? false,
      };
    } catch (err) {
      throw storeUnavailable('s3', this.profile, err);
    }
  }

  /** The first `lines` lines of an object (read from its first 256 KiB); 404 when it is missing. */
  async preview(key: string, lines: number) {
    try {
      const res = await this.probe(
        this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: 'bytes=0-262143' })),
      );
      const text = (await res.Body?.transformToString('utf8')) ?? '';
      return {
        key,
        size: Number(res.ContentRange?.split('/')[1] ?? text.length),
        ...previewLines(text, lines),
      };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') {
        throw new HttpProblem(404, 'NOT_FOUND', `No object s3://${this.bucket}/${key}.`);
      }
      throw storeUnavailable('s3', this.profile, err);
    }
  }

  private probe<T>(request: Promise<T>): Promise<T> {
    return withTimeout(request, PROBE_MS, 'S3');
  }

  close(): void {
    this.s3.destroy();
  }
}
