import fs from 'node:fs';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * The one way pinpipe writes an object it built itself (the batch's Parquet files, the report):
 * `@aws-sdk/lib-storage`'s Upload, one PutObject for a small body and a multipart upload in 5 MiB
 * parts for a large one, so a file is streamed from disk, never read into memory whole. An aborted
 * signal stops the upload (its parts are removed) with an AbortError.
 */
export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
}

export async function uploadObject(
  s3: S3Client,
  target: UploadTarget,
  body: PutObjectCommandInput['Body'],
  opts: { abortSignal?: AbortSignal } = {},
): Promise<void> {
  const abortController = new AbortController();
  const abort = () => abortController.abort(opts.abortSignal?.reason);
  if (opts.abortSignal?.aborted) abort();
  opts.abortSignal?.addEventListener('abort', abort, { once: true });
  try {
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: target.bucket,
        Key: target.key,
        Body: body,
        ContentType: target.contentType,
      },
      abortController,
    });
    await upload.done();
  } finally {
    opts.abortSignal?.removeEventListener('abort', abort);
  }
}

/** Streams a local file to S3 (see uploadObject). */
export async function uploadFile(
  s3: S3Client,
  target: UploadTarget,
  file: string,
  opts: { abortSignal?: AbortSignal } = {},
): Promise<void> {
  const stream = fs.createReadStream(file);
  try {
    await uploadObject(s3, target, stream, opts);
  } finally {
    stream.destroy();
  }
}
