import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Profile } from '../config/index.ts';
import { awsClientConfig } from './aws.ts';

/**
 * The one place S3 clients are built. Every request has a connection timeout and a total
 * request timeout (s3.connectionTimeoutMs / s3.requestTimeoutMs), so an endpoint that accepts
 * connections and never answers fails the request instead of hanging it.
 */
export function createS3(profile: Profile, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    ...awsClientConfig(profile),
    forcePathStyle: profile.s3.forcePathStyle,
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: profile.s3.connectionTimeoutMs,
      requestTimeout: profile.s3.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...overrides,
  });
}
