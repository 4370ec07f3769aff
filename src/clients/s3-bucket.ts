import {
  CreateBucketCommand,
  HeadBucketCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * The one way pinpipe checks and creates a bucket (the sink, provision, the batch and doctor).
 * A bucket is created in the client's region: outside us-east-1 S3 requires that region as the
 * LocationConstraint (CreateBucket without it fails there with IllegalLocationConstraintException).
 */

export interface BucketCallOptions {
  abortSignal?: AbortSignal;
}

function errorName(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? '';
}

/** The error S3 gives a request on a bucket that does not exist (listing, reading, writing). */
export function isNoSuchBucket(err: unknown): boolean {
  return errorName(err) === 'NoSuchBucket';
}

/** HeadBucket: true when the bucket exists and may be listed, false when it does not exist; other failures are thrown. */
export async function bucketExists(
  s3: S3Client,
  bucket: string,
  opts: BucketCallOptions = {},
): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }), opts);
    return true;
  } catch (err) {
    // HeadBucket answers 404 without a body, which the SDK names NotFound
    const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
      ?.httpStatusCode;
    if (isNoSuchBucket(err) || errorName(err) === 'NotFound' || status === 404) return false;
    throw err;
  }
}

/** The CreateBucket request for the client's region (no LocationConstraint in us-east-1). */
export function createBucketInput(bucket: string, region: string): CreateBucketCommand['input'] {
  return region === 'us-east-1'
    ? { Bucket: bucket }
    : {
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
      };
}

/** Creates the bucket in the client's region; a bucket this account already owns is not an error. */
export async function createBucket(
  s3: S3Client,
  bucket: string,
  opts: BucketCallOptions = {},
): Promise<void> {
  const region = await s3.config.region();
  try {
    await s3.send(new CreateBucketCommand(createBucketInput(bucket, region)), opts);
  } catch (err) {
    if (errorName(err) !== 'BucketAlreadyOwnedByYou') throw err;
  }
}

/** HeadBucket, then CreateBucket when it does not exist. */
export async function ensureBucket(
  s3: S3Client,
  bucket: string,
  opts: BucketCallOptions = {},
): Promise<'exists' | 'created'> {
  if (await bucketExists(s3, bucket, opts)) return 'exists';
  await createBucket(s3, bucket, opts);
  return 'created';
}
