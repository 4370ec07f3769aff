import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pRetry, { AbortError } from 'p-retry';
import { PinpipeError, describeError } from '../errors.ts';
import { isKafkaError } from '../clients/index.ts';
import { bucketExists, createBucket, isNoSuchBucket } from '../clients/s3-bucket.ts';
import type { Logger } from '../log.ts';
import { errorKey, objectKey, type SinkLayout } from './keys.ts';
import type { PendingWrite } from './sink-state.ts';

/** Body of an object: one JSON value per line, each followed by "\n" (as the connector writes). */
export function objectBody(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Key and body of a pending write. */
export function renderWrite(layout: SinkLayout, w: PendingWrite): { key: string; body: string } {
  if (w.kind === 'object') {
    const o = w.object;
    return { key: objectKey(layout, o.topic, o.partition, o.startOffset), body: objectBody(o.lines) };
  }
  const r = w.record;
  return { key: errorKey(layout, r.topic, r.partition, r.offset), body: `${JSON.stringify(r)}\n` };
}

/**
 * Fails with S3_BUCKET_MISSING unless the bucket exists or may be created (s3.createBucket);
 * with S3_UNAVAILABLE when S3 gives no answer within `timeoutMs` (retries included).
 */
export async function ensureBucket(
  s3: S3Client,
  bucket: string,
  create: boolean,
  logger: Logger,
  timeoutMs = DEFAULT_UPLOAD_RETRY.maxRetryTimeMs,
): Promise<'exists' | 'created'> {
  const abortSignal = AbortSignal.timeout(timeoutMs);
  try {
    if (await bucketExists(s3, bucket, { abortSignal })) return 'exists';
  } catch (err) {
    const why = abortSignal.aborted
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : describeError(err);
    throw new PinpipeError(
      'S3_UNAVAILABLE',
      `Cannot reach bucket ${bucket}: ${why}. Check aws.endpoint / credentials (pinpipe doctor) and retry.`,
      { cause: err },
    );
  }
  if (!create) {
    throw new PinpipeError(
      'S3_BUCKET_MISSING',
      `Bucket ${bucket} does not exist. Create it (pinpipe provision), pass --bucket <existing>, ` +
        'or set s3.createBucket: true in the profile.',
    );
  }
  try {
    await createBucket(s3, bucket, { abortSignal });
  } catch (err) {
    throw new PinpipeError('S3_UNAVAILABLE', `Cannot create bucket ${bucket}: ${describeError(err)}.`, {
      cause: err,
    });
  }
  logger.info(`created bucket ${bucket} (s3.createBucket is true)`);
  return 'created';
}

export interface UploadRetry {
  /** Give up (SINK_UPLOAD_FAILED, nothing committed) after this long. */
  maxRetryTimeMs: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_UPLOAD_RETRY: UploadRetry = {
  maxRetryTimeMs: 300_000,
  minTimeoutMs: 200,
  maxTimeoutMs: 5_000,
};

/**
 * PutObject with retries and exponential backoff: an S3 endpoint that goes away is waited for
 * (the caller commits nothing until this resolves). The deadline (`retry.maxRetryTimeMs`) holds
 * even while a request is stuck: the in-flight call is aborted and SINK_UPLOAD_FAILED thrown.
 * `signal` aborts from outside (a rebalance seen by the heartbeat); its reason is rethrown.
 * `onRetry` may heartbeat the consumer group; if it throws (a rebalance), retrying stops with
 * that error.
 */
export async function putWithRetry(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  opts: {
    retry: UploadRetry;
    logger: Logger;
    onRetry?: (attempt: number, err: unknown) => Promise<void> | void;
    signal?: AbortSignal;
  },
): Promise<void> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error('upload deadline passed')),
    opts.retry.maxRetryTimeMs,
  );
  const signal = opts.signal ? AbortSignal.any([deadline.signal, opts.signal]) : deadline.signal;
  let lastError: unknown;
  try {
    await pRetry(
      async () => {
        try {
          await s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
            { abortSignal: signal },
          );
        } catch (err) {
          if (signal.aborted)
            throw new AbortError(err instanceof Error ? err : new Error(describeError(err)));
          lastError = err;
          if (isNoSuchBucket(err)) {
            throw new AbortError(
              new PinpipeError(
                'S3_BUCKET_MISSING',
                `Bucket ${bucket} disappeared while the sink was writing ${key}. Nothing was committed past ` +
                  'the last stored object; recreate the bucket (pinpipe provision) and restart the sink.',
              ),
            );
          }
          throw err instanceof Error ? err : new Error(describeError(err));
        }
      },
      {
        retries: Number.POSITIVE_INFINITY,
        factor: 2,
        minTimeout: opts.retry.minTimeoutMs,
        maxTimeout: opts.retry.maxTimeoutMs,
        randomize: true,
        maxRetryTime: opts.retry.maxRetryTimeMs,
        signal,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          opts.logger.warn(
            `S3 PutObject ${key} failed (attempt ${attemptNumber}): ${describeError(error)}; retrying`,
          );
          await opts.onRetry?.(attemptNumber, error);
        },
      },
    );
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (err instanceof PinpipeError) throw err;
    if (isKafkaError(err)) throw err;
    const cause = deadline.signal.aborted
      ? `no answer within the deadline${lastError === undefined ? '' : ` (last error: ${describeError(lastError)})`}`
      : describeError(err);
    throw new PinpipeError(
      'SINK_UPLOAD_FAILED',
      `Could not store ${key} in bucket ${bucket} within ${Math.round(opts.retry.maxRetryTimeMs / 1000)} s ` +
        `(--upload-retry-ms): ${cause}. Nothing was committed past the last stored object; restart the sink once S3 is back.`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}
