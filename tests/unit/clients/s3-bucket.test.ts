import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { bucketExists, createBucket, ensureBucket, isNoSuchBucket } from '../../../src/clients/s3-bucket.ts';

/** An S3 client of the region whose `send` answers from `answer` and records each command. */
function stubbedS3(region: string, answer: (command: unknown) => unknown) {
  const s3 = new S3Client({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sent: unknown[] = [];
  s3.send = (async (command: unknown) => {
    sent.push(command);
    const a = answer(command);
    if (a instanceof Error) throw a;
    return a;
  }) as S3Client['send'];
  return { s3, sent };
}

const named = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
const notFound = () => named('NotFound', 404);

describe('the bucket helper', () => {
  it('an existing bucket is only looked at', async () => {
    const { s3, sent } = stubbedS3('eu-west-2', () => ({}));
    expect(await ensureBucket(s3, 'b')).toBe('exists');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(HeadBucketCommand);
  });

  it('creates a missing bucket with its region as LocationConstraint outside us-east-1', async () => {
    const { s3, sent } = stubbedS3('eu-west-2', (c) => (c instanceof HeadBucketCommand ? notFound() : {}));
    expect(await ensureBucket(s3, 'b')).toBe('created');
    expect(sent[1]).toBeInstanceOf(CreateBucketCommand);
    expect((sent[1] as CreateBucketCommand).input).toEqual({
      Bucket: 'b',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
    });
  });

  it('creates a missing bucket without a LocationConstraint in us-east-1', async () => {
    const { s3, sent } = stubbedS3('us-east-1', (c) => (c instanceof HeadBucketCommand ? notFound() : {}));
    expect(await ensureBucket(s3, 'b')).toBe('created');
    expect((sent[1] as CreateBucketCommand).input).toEqual({ Bucket: 'b' });
  });

  it('a bucket this account already owns is created; any other refusal is thrown', async () => {
    const owned = stubbedS3('eu-west-1', () => named('BucketAlreadyOwnedByYou', 409));
    await expect(createBucket(owned.s3, 'b')).resolves.toBeUndefined();
    const taken = stubbedS3('eu-west-1', () => named('BucketAlreadyExists', 409));
    await expect(createBucket(taken.s3, 'b')).rejects.toThrow('BucketAlreadyExists');
  });

  it('tells a missing bucket (404, NotFound, NoSuchBucket) from other failures', async () => {
    for (const err of [notFound(), named('NoSuchBucket'), named('Whatever', 404)]) {
      expect(await bucketExists(stubbedS3('us-east-1', () => err).s3, 'b')).toBe(false);
    }
    await expect(bucketExists(stubbedS3('us-east-1', () => named('Forbidden', 403)).s3, 'b')).rejects.toThrow(
      'Forbidden',
    );
    expect(isNoSuchBucket(named('NoSuchBucket'))).toBe(true);
    expect(isNoSuchBucket(named('NoSuchKey', 404))).toBe(false);
  });
});
