import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Profile } from '../config/schema.ts';
import { awsClientConfig } from './aws.ts';

export function createS3(profile: Profile, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    ...awsClientConfig(profile),
    forcePathStyle: profile.s3.forcePathStyle,
    maxAttempts: 3,
    ...overrides,
  });
}
